/**
 * Mount settings, stored in the mount's (encrypted) storage and cached in memory — this backend
 * is the only writer of its storage, so the cache is coherent.
 *   config        { challenge_ttl }                                       (seconds; default 300)
 *   config/nitro  { trusted_roots_pem, include_aws_root, max_evidence_age, allow_debug }
 */
import { invalid } from '../../errors/index.js';
import { parsePemCertificates } from '../../attestation/index.js';
import { getJson, putJson, type Storage } from '../../storage/index.js';
import { boolField, durationField } from '../token/fields.js';

export interface GeneralConfig {
  /** Seconds a challenge stays usable. */
  challengeTtl: number;
}

export interface PlatformConfig {
  trustedRootsPem: string;
  includeAwsRoot: boolean;
  /** Seconds. */
  maxEvidenceAge: number;
  allowDebug: boolean;
}

export const DEFAULT_GENERAL: GeneralConfig = { challengeTtl: 300 };
export const DEFAULT_PLATFORM: PlatformConfig = { trustedRootsPem: '', includeAwsRoot: true, maxEvidenceAge: 300, allowDebug: false };

type Data = Readonly<Record<string, unknown>>;
const has = (data: Data, key: string) => data[key] !== undefined && data[key] !== null;

export function generalConfigView(c: GeneralConfig): Record<string, unknown> {
  return { challenge_ttl: c.challengeTtl };
}

export function platformConfigView(c: PlatformConfig): Record<string, unknown> {
  return { trusted_roots_pem: c.trustedRootsPem, include_aws_root: c.includeAwsRoot, max_evidence_age: c.maxEvidenceAge, allow_debug: c.allowDebug };
}

/** Applies an update on top of `current`; fields not given keep their value. */
export function updateGeneralConfig(current: GeneralConfig, data: Data): GeneralConfig {
  if (!has(data, 'challenge_ttl')) return current;
  const ttl = durationField(data, 'challenge_ttl');
  if (ttl < 1 || ttl > 3600) throw invalid('"challenge_ttl" must be between 1s and 1h', 'invalid_field');
  return { challengeTtl: ttl };
}

export function updatePlatformConfig(current: PlatformConfig, data: Data): PlatformConfig {
  const next = { ...current };
  if (has(data, 'trusted_roots_pem')) {
    if (typeof data.trusted_roots_pem !== 'string') throw invalid('"trusted_roots_pem" must be PEM text', 'invalid_field');
    parsePemCertificates(data.trusted_roots_pem); // refuse what could never be used as a root
    next.trustedRootsPem = data.trusted_roots_pem;
  }
  if (has(data, 'include_aws_root')) next.includeAwsRoot = boolField(data, 'include_aws_root') ?? current.includeAwsRoot;
  if (has(data, 'allow_debug')) next.allowDebug = boolField(data, 'allow_debug') ?? current.allowDebug;
  if (has(data, 'max_evidence_age')) {
    const age = durationField(data, 'max_evidence_age');
    if (age < 1) throw invalid('"max_evidence_age" must be at least 1s', 'invalid_field');
    next.maxEvidenceAge = age;
  }
  return next;
}

export interface ConfigStore {
  general(): Promise<GeneralConfig>;
  setGeneral(c: GeneralConfig): Promise<void>;
  platform(name: string): Promise<PlatformConfig>;
  setPlatform(name: string, c: PlatformConfig): Promise<void>;
}

export function createConfigStore(storage: Storage): ConfigStore {
  let general: GeneralConfig | undefined;
  const platforms = new Map<string, PlatformConfig>();
  return {
    async general() {
      general ??= { ...DEFAULT_GENERAL, ...(await getJson<GeneralConfig>(storage, 'settings/general')) };
      return general;
    },
    async setGeneral(c) {
      await putJson(storage, 'settings/general', c);
      general = c;
    },
    async platform(name) {
      let c = platforms.get(name);
      if (!c) {
        c = { ...DEFAULT_PLATFORM, ...(await getJson<PlatformConfig>(storage, `settings/platform/${name}`)) };
        platforms.set(name, c);
      }
      return c;
    },
    async setPlatform(name, c) {
      await putJson(storage, `settings/platform/${name}`, c);
      platforms.set(name, c);
    },
  };
}
