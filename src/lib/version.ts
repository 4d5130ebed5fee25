/** The product version reported by sys/seal-status, sys/health and `sealtrail version`. */
export const VERSION = '0.1.0';

/**
 * The running version of every mount's backend, all of them built into the server: Vault's form
 * for plugins compiled into the product itself, `v<product version>+builtin.<product>` (Vault
 * writes `+builtin.vault`, OpenBao `+builtin.bao`).
 */
export const BUILTIN_PLUGIN_VERSION = `v${VERSION}+builtin.sealtrail`;
