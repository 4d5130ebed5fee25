/** Authentication and authorization: tokens, ACL policies and the `apm` attestation login. */
export * from './token/index.js';
export * from './policy/index.js';
export * from './apm/index.js';
