/**
 * Where the client connects and with which token, from the environment: Sealtrail's own names
 * first, then Vault's, so existing Vault shells work unchanged. Empty values count as unset.
 */

export const DEFAULT_ADDRESS = 'http://127.0.0.1:8200';

type Env = Record<string, string | undefined>;

function firstSet(env: Env, names: readonly string[]): string | undefined {
  for (const name of names) {
    const value = env[name];
    if (value !== undefined && value.trim() !== '') return value.trim();
  }
  return undefined;
}

/** SEALTRAIL_ADDR, then VAULT_ADDR, then http://127.0.0.1:8200. */
export function addressFromEnv(env: Env = process.env): string {
  return firstSet(env, ['SEALTRAIL_ADDR', 'VAULT_ADDR']) ?? DEFAULT_ADDRESS;
}

/**
 * SEALTRAIL_TOKEN, then VAULT_TOKEN; undefined if neither is set. VAULT_TOKEN is not taken when
 * SEALTRAIL_ADDR names another server than a set VAULT_ADDR: it is that server's token.
 */
export function tokenFromEnv(env: Env = process.env): string | undefined {
  const name = tokenEnvName(env);
  return name === undefined ? undefined : firstSet(env, [name]);
}

/** The name of the variable that supplied the token, for warnings (never its value). */
export function tokenEnvName(env: Env = process.env): string | undefined {
  if (firstSet(env, ['SEALTRAIL_TOKEN']) !== undefined) return 'SEALTRAIL_TOKEN';
  if (firstSet(env, ['VAULT_TOKEN']) === undefined || vaultAddressElsewhere(env)) return undefined;
  return 'VAULT_TOKEN';
}

function vaultAddressElsewhere(env: Env): boolean {
  const trimmed = (name: string) => firstSet(env, [name])?.replace(/\/+$/, '');
  const sealtrail = trimmed('SEALTRAIL_ADDR');
  const vault = trimmed('VAULT_ADDR');
  return sealtrail !== undefined && vault !== undefined && sealtrail !== vault;
}
