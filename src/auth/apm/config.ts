/**
 * Mount settings, stored in the mount's (encrypted) storage and cached in memory — this backend
 * is the only writer of its storage, so the cache is coherent.
 *   config             { challenge_ttl }                                  (seconds; default 300)
 *   config/<platform>  { trusted_roots_pem, include_vendor_root, allow_debug }, and
 *     nitro            { max_evidence_age, include_aws_root (= include_vendor_root) }
 *     snp              { crls: [base64 DER or PEM CRL, ...] }  (signed by an ARK)
 *     tdx, sgx         { collateral: the DCAP collateral document }  (when a login brings none)
 */
import { invalid } from '../../errors/index.js';
import { parsePemCertificates, type DcapCollateral, type PlatformName } from '../../attestation/index.js';
import { crlsField } from './crls-field.js';
import { collateralDocument } from './login-extras.js';
import { getJson, putJson, type Storage } from '../../storage/index.js';
import { boolField, durationField } from '../token/fields.js';

export interface GeneralConfig {
  /** Seconds a challenge stays usable. */
  challengeTtl: number;
}

export interface PlatformConfig {
  trustedRootsPem: string;
  /** Trust the vendor's pinned roots: AWS Nitro G1, AMD ARK Milan/Genoa/Turin, Intel SGX Root CA. */
  includeVendorRoot: boolean;
  /** Seconds (Nitro: its documents carry a time; other evidence is as fresh as its challenge). */
  maxEvidenceAge: number;
  allowDebug: boolean;
  /** SNP: ARK-signed CRLs, base64 DER. */
  crls: string[];
  /** TDX/SGX: the collateral used when a login brings none. */
  collateral?: DcapCollateral;
}

/** What a stored config looked like before vendor roots were per platform. */
interface StoredPlatformConfig extends Partial<PlatformConfig> {
  includeAwsRoot?: boolean;
}

export const DEFAULT_GENERAL: GeneralConfig = { challengeTtl: 300 };
export const DEFAULT_PLATFORM: PlatformConfig = { trustedRootsPem: '', includeVendorRoot: true, maxEvidenceAge: 300, allowDebug: false, crls: [] };

type Data = Readonly<Record<string, unknown>>;
const has = (data: Data, key: string) => data[key] !== undefined && data[key] !== null;

export function generalConfigView(c: GeneralConfig): Record<string, unknown> {
  return { challenge_ttl: c.challengeTtl };
}

export function platformConfigView(platform: PlatformName, c: PlatformConfig): Record<string, unknown> {
  const view: Record<string, unknown> = { trusted_roots_pem: c.trustedRootsPem, include_vendor_root: c.includeVendorRoot, allow_debug: c.allowDebug };
  if (platform === 'nitro') Object.assign(view, { include_aws_root: c.includeVendorRoot, max_evidence_age: c.maxEvidenceAge });
  if (platform === 'snp') view.crls = c.crls;
  if (platform === 'tdx' || platform === 'sgx') view.collateral = c.collateral ?? null;
  return view;
}

/** Applies an update on top of `current`; fields not given keep their value. */
export function updateGeneralConfig(current: GeneralConfig, data: Data): GeneralConfig {
  if (!has(data, 'challenge_ttl')) return current;
  const ttl = durationField(data, 'challenge_ttl');
  if (ttl < 1 || ttl > 3600) throw invalid('"challenge_ttl" must be between 1s and 1h', 'invalid_field');
  return { challengeTtl: ttl };
}

function collateralField(value: unknown): DcapCollateral | undefined {
  return value === '' ? undefined : collateralDocument(value); // "" clears it
}

const PLATFORM_ONLY: Record<string, readonly PlatformName[]> = {
  max_evidence_age: ['nitro'], include_aws_root: ['nitro'], crls: ['snp'], collateral: ['tdx', 'sgx'],
};

export function updatePlatformConfig(platform: PlatformName, current: PlatformConfig, data: Data): PlatformConfig {
  for (const [field, platforms] of Object.entries(PLATFORM_ONLY)) {
    if (has(data, field) && !platforms.includes(platform)) throw invalid(`"${field}" does not apply to ${platform} evidence`, 'invalid_field');
  }
  const next = { ...current };
  if (has(data, 'trusted_roots_pem')) {
    if (typeof data.trusted_roots_pem !== 'string') throw invalid('"trusted_roots_pem" must be PEM text', 'invalid_field');
    parsePemCertificates(data.trusted_roots_pem); // refuse what could never be used as a root
    next.trustedRootsPem = data.trusted_roots_pem;
  }
  if (has(data, 'include_aws_root')) next.includeVendorRoot = boolField(data, 'include_aws_root') ?? current.includeVendorRoot;
  if (has(data, 'include_vendor_root')) next.includeVendorRoot = boolField(data, 'include_vendor_root') ?? current.includeVendorRoot;
  if (has(data, 'crls')) next.crls = crlsField(data.crls);
  if (has(data, 'collateral')) {
    const collateral = collateralField(data.collateral);
    if (collateral) next.collateral = collateral;
    else delete next.collateral;
  }
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
  platform(name: PlatformName): Promise<PlatformConfig>;
  setPlatform(name: PlatformName, c: PlatformConfig): Promise<void>;
}

export function createConfigStore(storage: Storage): ConfigStore {
  let general: GeneralConfig | undefined;
  const platforms = new Map<PlatformName, PlatformConfig>();
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
        const { includeAwsRoot, ...stored } = (await getJson<StoredPlatformConfig>(storage, `settings/platform/${name}`)) ?? {};
        c = { ...DEFAULT_PLATFORM, ...(includeAwsRoot !== undefined ? { includeVendorRoot: includeAwsRoot } : {}), ...stored };
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
