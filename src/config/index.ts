/** The server configuration: its types and defaults, the HCL/JSON loader and the startup checks. */
export {
  defaultConfig, DEFAULT_LISTENER_LIMITS, DEFAULT_MAX_REQUEST_SIZE, DEV_LISTEN_ADDRESS, journalPath, journalConnectionUrl, CONNECTION_URL_ENV, uiEnabled,
  type ServerConfig, type JournalConfig, type LedgerConfig, type ListenerConfig, type StorageConfig, type AuditDeviceConfig, type TrailConfig, type TrailS3Config,
} from './types.js';
export { ConfigError, loadConfigFile, readConfigText, parseConfig, parseAddress, MAX_CONFIG_FILE_BYTES, type ConfigProblem } from './load.js';
export { DEFAULT_REQUEST_LIMITS, type RequestLimits } from './request-limits.js';
export { startupProblems, environmentProblems } from './startup.js';
export { listenerTlsOptions, type ListenerTlsOptions, type TlsVersion } from './listener-tls.js';
export type { ForwardedForConfig } from './forwarded-for.js';
