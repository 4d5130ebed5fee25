/** The HTTP edges: Vault's wire format (http.ts) and AWS JSON 1.1 with SigV4 (aws/). */
export { createHttpServer } from './http.js';
export { renderVaultResponse } from './vault-response.js';
export { registerAwsRoutes } from './aws/index.js';
export { registerConsole, CONSOLE_CSP } from './console.js';
export { watchDescriptors } from './descriptor-watch.js';
export { createLogger, setLogLevel, type LogFormat, type ServerLogger } from './logger.js';
