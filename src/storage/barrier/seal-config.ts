/**
 * The Shamir seal configuration chosen at init: how many unseal key shares exist and how many are
 * needed. Stored as plaintext JSON at `core/seal-config` (it holds no secret) so seal status can be
 * reported while sealed.
 */
import { SealtrailError, invalid } from '../../errors/index.js';
import type { Storage } from '../types.js';

export const SEAL_CONFIG_KEY = 'core/seal-config';

export interface SealConfig {
  type: 'shamir';
  secretShares: number;
  secretThreshold: number;
}

/** Vault's seal configuration rules, with Vault's messages. */
export function validateSealConfig(opts: { secretShares: unknown; secretThreshold: unknown }): SealConfig {
  const { secretShares: n, secretThreshold: t } = opts;
  const fail = (why: string) => invalid(`invalid seal configuration: ${why}`, 'invalid_seal_config');
  if (typeof n !== 'number' || !Number.isInteger(n)) throw fail('shares must be an integer');
  if (typeof t !== 'number' || !Number.isInteger(t)) throw fail('threshold must be an integer');
  if (n < 1) throw fail('shares must be at least one');
  if (t < 1) throw fail('threshold must be at least one');
  if (n > 1 && t === 1) throw fail('threshold must be greater than one for multiple shares');
  if (n > 255) throw fail('shares must be less than 256');
  if (t > 255) throw fail('threshold must be less than 256');
  if (t > n) throw fail('threshold cannot be larger than shares');
  return { type: 'shamir', secretShares: n, secretThreshold: t };
}

export function encodeSealConfig(config: SealConfig): Uint8Array {
  return Buffer.from(JSON.stringify(config), 'utf8');
}

export async function readSealConfig(physical: Storage): Promise<SealConfig | undefined> {
  const raw = await physical.get(SEAL_CONFIG_KEY);
  if (raw === undefined) return undefined;
  try {
    return validateSealConfig(JSON.parse(Buffer.from(raw).toString('utf8')) as SealConfig);
  } catch (cause) {
    throw new SealtrailError('internal', 'seal_config_corrupt', `stored seal configuration at ${SEAL_CONFIG_KEY} is unreadable`, { cause });
  }
}
