/**
 * The parts of a role that depend on its platform: which measurements it may pin by name, and the
 * TCB rules it may set.
 *
 *   nitro  signer_id (PCR8, required), enclave_id (PCR0), pcrs { "<n>": hex }
 *   snp    measurement (= enclave_id), host_data, id_key_digest (= signer_id), author_key_digest,
 *          family_id, image_id; min_tcb { bootloader, tee, snp, microcode, fmc }; vmpl;
 *          allow_migration_agent
 *   tdx    mr_td (= enclave_id), rtmr0..rtmr3, mr_config_id, mr_owner (= signer_id),
 *          mr_owner_config; accepted_tcb_statuses; min_tcb_status
 *   sgx    mr_signer (= signer_id), mr_enclave (= enclave_id), isv_prod_id; min_isv_svn;
 *          accepted_tcb_statuses; min_tcb_status
 *
 * A role must pin who runs: Nitro its signer; TDX its MRTD and an RTMR of the workload (the host
 * chooses MROWNER freely, and MRTD measures only the firmware); SNP and SGX their enclave id or a
 * non-zero signer id (SNP reports zeros when the host sets no ID block, which would pin nothing; a
 * non-zero ID key digest is bound by the ID block's signature).
 */
import { invalid } from '../../errors/index.js';
import { TCB_STATUSES, isTcbStatus, type PlatformName, type SnpTcb, type TcbStatus } from '../../attestation/index.js';
import { intField, stringListField } from '../token/fields.js';
import { isJsonObject, setOwn } from '../../lib/safe-object.js';

type Data = Readonly<Record<string, unknown>>;

/** Named measurements a role may pin, and which of them are the generic signer/enclave ids. */
interface PlatformFields {
  named: readonly string[];
  signer?: string;
  enclave?: string;
  /** Values matched as decimal integers rather than hex. */
  decimal?: readonly string[];
}

export const PLATFORM_FIELDS: Record<PlatformName, PlatformFields> = {
  nitro: { named: [] },
  snp: { named: ['measurement', 'host_data', 'id_key_digest', 'author_key_digest', 'family_id', 'image_id'], signer: 'id_key_digest', enclave: 'measurement' },
  tdx: { named: ['mr_td', 'rtmr0', 'rtmr1', 'rtmr2', 'rtmr3', 'mr_config_id', 'mr_owner', 'mr_owner_config'], signer: 'mr_owner', enclave: 'mr_td' },
  sgx: { named: ['mr_signer', 'mr_enclave', 'isv_prod_id'], signer: 'mr_signer', enclave: 'mr_enclave', decimal: ['isv_prod_id'] },
};

/**
 * Where a TD's workload is measured: the firmware measures the kernel (or boot loader) into RTMR1
 * and its command line and initrd into RTMR2, and the guest extends RTMR3 with what it runs. MRTD
 * covers only the TD's initial memory, the firmware, which every TD booted from it shares.
 */
const TDX_WORKLOAD_RTMRS = ['rtmr1', 'rtmr2', 'rtmr3'] as const;

/**
 * What a tdx role must still pin before it admits anything, as the fields to add (undefined: it
 * pins MRTD and a workload RTMR). Checked when a role is written and again at each login, for
 * roles stored before the rule.
 */
export function tdxRoleLacks(role: { enclaveId?: string; measurements: Readonly<Record<string, string>> }): string | undefined {
  const rtmr = TDX_WORKLOAD_RTMRS.some((name) => Object.hasOwn(role.measurements, name));
  if (role.enclaveId === undefined) return rtmr ? 'mr_td' : 'mr_td and rtmr1, rtmr2 or rtmr3';
  return rtmr ? undefined : 'rtmr1, rtmr2 or rtmr3 as well as mr_td';
}

/**
 * The size in bytes of each measurement as its platform reports it (the generic `signer_id` and
 * `enclave_id` of Nitro, and `pcr` for its PCRs, are SHA-384 digests): a value of another size
 * could never match, so a role pinning one would admit no enclave — a truncated paste, refused
 * when it is written rather than found at every failed login.
 */
const MEASUREMENT_BYTES: Record<PlatformName, Readonly<Record<string, number>>> = {
  nitro: { signer_id: 48, enclave_id: 48, pcr: 48 },
  snp: { measurement: 48, host_data: 32, id_key_digest: 48, author_key_digest: 48, family_id: 16, image_id: 16 },
  tdx: { mr_td: 48, rtmr0: 48, rtmr1: 48, rtmr2: 48, rtmr3: 48, mr_config_id: 48, mr_owner: 48, mr_owner_config: 48 },
  sgx: { mr_signer: 32, mr_enclave: 32 },
};

/** Refuses a hex value whose size is not the measurement's (`kind`: the field, or `pcr`). */
export function checkMeasurementSize(platform: PlatformName, kind: string, field: string, hex: string): string {
  const bytes = MEASUREMENT_BYTES[platform][kind];
  if (bytes !== undefined && hex.length !== bytes * 2) {
    throw invalid(`"${field}" must be ${bytes} bytes (${bytes * 2} hex digits) on ${platform}, as the platform reports it; got ${hex.length / 2}`, 'invalid_field');
  }
  return hex;
}

export const DEFAULT_ACCEPTED_TCB: readonly TcbStatus[] = ['UpToDate', 'SWHardeningNeeded'];

const HEX = /^(?:[0-9a-f]{2})+$/;
const SNP_TCB_PARTS = ['bootloader', 'tee', 'snp', 'microcode', 'fmc'] as const;

export function hexValue(value: unknown, field: string): string {
  const s = typeof value === 'string' ? value.trim().toLowerCase() : '';
  if (!HEX.test(s)) throw invalid(`"${field}" must be a hex string`, 'invalid_field');
  return s;
}

function byteValue(data: Data, field: string, max: number): number | undefined {
  if (data[field] === undefined || data[field] === null || data[field] === '') return undefined;
  const n = intField(data, field);
  if (n < 0 || n > max) throw invalid(`"${field}" must be an integer from 0 to ${max}`, 'invalid_field');
  return n;
}

/** The role's named measurements (keys as in the claims), from the named request fields. */
export function namedMeasurements(platform: PlatformName, data: Data): Record<string, string> {
  const fields = PLATFORM_FIELDS[platform];
  const out: Record<string, string> = {};
  for (const name of fields.named) {
    const value = data[name];
    if (value === undefined || value === null || value === '') continue;
    if (fields.decimal?.includes(name)) setOwn(out, name, String(byteValue(data, name, 0xffff)));
    else setOwn(out, name, checkMeasurementSize(platform, name, name, hexValue(value, name)));
  }
  return out;
}

export function snpMinTcb(data: Data): SnpTcb | undefined {
  const v = data.min_tcb;
  if (v === undefined || v === null || v === '') return undefined;
  if (!isJsonObject(v)) throw invalid('"min_tcb" must be a map of bootloader, tee, snp, microcode and fmc to SVNs', 'invalid_field');
  const map = v as Data;
  for (const key of Object.keys(map)) {
    if (!(SNP_TCB_PARTS as readonly string[]).includes(key)) throw invalid(`"min_tcb" has no component "${key.slice(0, 32)}"`, 'invalid_field');
  }
  const svn = (key: string) => byteValue(map, key, 255) ?? 0;
  const tcb: SnpTcb = { bootloader: svn('bootloader'), tee: svn('tee'), snp: svn('snp'), microcode: svn('microcode') };
  const fmc = byteValue(map, 'fmc', 255);
  if (fmc !== undefined) tcb.fmc = fmc;
  return tcb;
}

export function vmplField(data: Data): number | undefined {
  return byteValue(data, 'vmpl', 3);
}

export function minIsvSvnField(data: Data): number | undefined {
  return byteValue(data, 'min_isv_svn', 0xffff);
}

export function acceptedTcbStatuses(data: Data): TcbStatus[] | undefined {
  if (data.accepted_tcb_statuses === undefined || data.accepted_tcb_statuses === null || data.accepted_tcb_statuses === '') return undefined;
  const list = stringListField(data, 'accepted_tcb_statuses');
  for (const s of list) {
    if (!isTcbStatus(s)) throw invalid(`"accepted_tcb_statuses" entries must be TCB statuses (${TCB_STATUSES.join(', ')})`, 'invalid_field');
    if (s === 'Revoked') throw invalid('a Revoked TCB is never accepted', 'invalid_field');
  }
  if (list.length === 0) throw invalid('"accepted_tcb_statuses" must name at least one status', 'invalid_field');
  return [...new Set(list as TcbStatus[])];
}

export function minTcbStatus(data: Data): TcbStatus | undefined {
  const v = data.min_tcb_status;
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string' || !isTcbStatus(v) || v === 'Revoked') {
    throw invalid(`"min_tcb_status" must be a TCB status other than Revoked (${TCB_STATUSES.join(', ')})`, 'invalid_field');
  }
  return v;
}

/** Fields that belong to other platforms are refused rather than silently ignored. */
const TCB_FIELDS: Record<string, readonly PlatformName[]> = {
  pcrs: ['nitro'], min_tcb: ['snp'], vmpl: ['snp'], allow_migration_agent: ['snp'], min_isv_svn: ['sgx'],
  accepted_tcb_statuses: ['tdx', 'sgx'], min_tcb_status: ['tdx', 'sgx'],
};

/** Every field a role takes, on some platform. */
const ROLE_FIELDS: ReadonlySet<string> = new Set([
  'platform', 'signer_id', 'enclave_id', 'allow_debug', 'token_policies', 'token_ttl', 'token_num_uses', 'token_bound_to_enclave_key',
  ...Object.keys(TCB_FIELDS), ...Object.values(PLATFORM_FIELDS).flatMap((f) => f.named),
]);

/**
 * Refuses a field no role takes rather than ignore it: a `token_max_ttl` or `token_bound_cidrs`
 * written as in Vault's other roles would otherwise look set and bound nothing.
 */
export function refuseUnknownFields(data: Data): void {
  const unknown = Object.keys(data).filter((k) => !ROLE_FIELDS.has(k)).sort();
  if (unknown.length === 0) return;
  const named = unknown.slice(0, 5).map((k) => JSON.stringify(k.length > 64 ? `${k.slice(0, 64)}…` : k)).join(', ');
  throw invalid(`unknown role field${unknown.length > 1 ? 's' : ''} ${named}${unknown.length > 5 ? ', …' : ''}: a role's token takes token_policies, token_ttl, token_num_uses and (nitro) token_bound_to_enclave_key`, 'invalid_field');
}

export function refuseForeignFields(platform: PlatformName, data: Data): void {
  for (const [field, platforms] of Object.entries(TCB_FIELDS)) {
    const v = data[field];
    if (v !== undefined && v !== null && v !== '' && !platforms.includes(platform)) throw invalid(`"${field}" does not apply to ${platform} roles`, 'invalid_field');
  }
  for (const [other, fields] of Object.entries(PLATFORM_FIELDS)) {
    if (other === platform) continue;
    for (const name of fields.named) {
      if (PLATFORM_FIELDS[platform].named.includes(name)) continue;
      const v = data[name];
      if (v !== undefined && v !== null && v !== '') throw invalid(`"${name}" does not apply to ${platform} roles`, 'invalid_field');
    }
  }
}
