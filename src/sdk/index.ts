/**
 * Sealtrail SDK — a small typed client for Sealtrail's Vault-compatible HTTP API (it works against
 * Vault and OpenBao too, for the endpoints they share). No dependency beyond Node 20's fetch.
 *
 * @example
 * ```ts
 * import { SealtrailClient, SealtrailApiError } from 'sealtrail/sdk';
 *
 * // address and token default to SEALTRAIL_ADDR / SEALTRAIL_TOKEN (then VAULT_ADDR / VAULT_TOKEN)
 * const client = new SealtrailClient({ address: 'http://127.0.0.1:8200', token: process.env.ROOT_TOKEN });
 *
 * const kv = client.kv('secret');
 * await kv.put('app/db', { password: 's3cret' }, { cas: 0 });   // create only
 * const secret = await kv.get('app/db');                         // undefined if absent
 * const password = secret?.data?.data.password;                  // use it; never log it
 * const version = secret?.data?.metadata.version;
 * console.log(`read version ${version}`);
 *
 * const child = await client.token.create({ policies: ['app'], ttl: '1h' });
 * const appClient = client.withToken(child.auth!.client_token);
 * try {
 *   await appClient.write('sys/policies/acl/evil', { policy: '' });
 * } catch (err) {
 *   if (err instanceof SealtrailApiError) console.log(err.status, err.errors); // 403 ['permission denied']
 * }
 *
 * await client.sys.audit.enable('file', { type: 'file', options: { file_path: '/var/log/sealtrail/audit.log' } });
 * console.log(await client.sys.audit.hash('file', 's3cret'));      // hmac-sha256:...
 * ```
 *
 * Conventions: request and response bodies keep Vault's JSON field names; every write is a POST
 * (Vault treats PUT and POST alike); LIST is sent as `GET ?list=true`; reads of a missing path
 * resolve to undefined (`readRequired` rejects instead); error statuses reject with SealtrailApiError (`status`, `errors`),
 * failures without an HTTP answer with SealtrailNetworkError, and a body JSON cannot write (nested
 * deeper than the stack goes, a BigInt) with SealtrailRequestError, before anything is sent.
 *
 * TLS: the default fetch checks the server's certificate against Node's roots (and
 * NODE_EXTRA_CA_CERTS). From the environment the SDK reads the address and the token only, never
 * VAULT_CACERT or VAULT_SKIP_VERIFY (the CLI's settings): for a private CA or a client
 * certificate, pass a `fetch` of undici's with an Agent whose `connect` has `ca` (`cert`, `key`).
 */
export { SealtrailClient, DEFAULT_TIMEOUT_MS, type SealtrailClientOptions } from './client.js';
export { SealtrailApiError, SealtrailNetworkError, SealtrailRequestError } from './errors.js';
export { addressFromEnv, tokenFromEnv, tokenEnvName, DEFAULT_ADDRESS } from './env.js';
export type { SysApi, MountsApi } from './sys.js';
export type { TokenApi, Increment } from './token.js';
export type { KvV2Api } from './kv.js';
export type { FetchLike } from './transport.js';
export type * from './types.js';
export {
  apmLogin, apmRoles, authorizationName, authorizationPolicy, normalizeAuthorization,
  type ApmClient, type ApmLoginOptions, type ApmLoginResult, type ApmRoleInput, type ApmRolesApi, type ApmAuthorization, type TdxWorkloadRtmr,
} from './apm.js';
export * from './capsule.js';
