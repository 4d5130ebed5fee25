/**
 * Authorization roles, as APM users know them: a role admits either every enclave of a signer
 * (`signer_id` only) or one build of it (`signer_id` + `enclave_id`), optionally with further
 * measurements and TCB rules that must all hold (role-platform.ts), and says which token the
 * workload receives.
 *
 *   role/<name>  { platform, signer_id?, enclave_id?, pcrs?, <named measurements>?, <TCB rules>?,
 *                  allow_debug?, token_policies, token_ttl, token_num_uses, token_bound_to_enclave_key? }
 *
 * `token_bound_to_enclave_key` (Nitro): the role admits only a document whose `public_key` can
 * receive an envelope, and the login answers with the token sealed to it (login.ts), so whoever
 * relays the answer cannot use it.
 */
import { invalid } from '../../errors/index.js';
import { isPlatformName, type PlatformName, type SnpTcb, type TcbStatus } from '../../attestation/index.js';
import {
  DEFAULT_ACCEPTED_TCB, PLATFORM_FIELDS, acceptedTcbStatuses, checkMeasurementSize, hexValue, minIsvSvnField, minTcbStatus, namedMeasurements,
  refuseForeignFields, refuseUnknownFields, snpMinTcb, tdxRoleLacks, vmplField,
} from './role-platform.js';
import { getJson, putJson, type Storage } from '../../storage/index.js';
import { boolField, durationField, intField, stringField, stringListField } from '../token/fields.js';
import { nonAssignablePolicy, sanitizePolicies } from '../token/policies.js';
import { isJsonObject, setOwn } from '../../lib/safe-object.js';
import { keyedLock } from '../../lib/keyed-lock.js';

export interface ApmRole {
  name: string;
  platform: PlatformName;
  /** Lower-case hex (required for Nitro). */
  signerId?: string;
  enclaveId?: string;
  /** Nitro: register name ("0".."31") → lower-case hex. */
  pcrs: Record<string, string>;
  /** Other named measurements that must equal the claims' (role-platform.ts). */
  measurements: Record<string, string>;
  /** SNP: every component of the reported TCB at least this. */
  minTcb?: SnpTcb;
  /** SNP: the VMPL the report must come from. */
  vmpl?: number;
  /** SNP: admit a guest policy with MIGRATE_MA set (default no). */
  allowMigrationAgent?: boolean;
  /** SGX: ISVSVN at least this. */
  minIsvSvn?: number;
  /** TDX/SGX: the statuses admitted (undefined: DEFAULT_ACCEPTED_TCB). */
  acceptedTcbStatuses?: TcbStatus[];
  /** TDX/SGX: no worse than this status (in TCB_STATUSES order). */
  minTcbStatus?: TcbStatus;
  /** Undefined: the platform config decides. */
  allowDebug?: boolean;
  tokenPolicies: string[];
  /** Seconds; 0 = the mount default. */
  tokenTtl: number;
  /** 0 = unlimited. */
  tokenNumUses: number;
  /** Nitro: the token is answered only sealed to the document's public key. */
  tokenBoundToEnclaveKey?: boolean;
}

type Data = Readonly<Record<string, unknown>>;

const ROLE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

export function validRoleName(name: string): string {
  if (!ROLE_NAME.test(name)) throw invalid('role name must be 1-128 letters, digits, "_", "-" or "." (not starting with a symbol)', 'invalid_role_name');
  return name;
}

function pcrsField(platform: PlatformName, data: Data): Record<string, string> {
  const v = data.pcrs;
  if (v === undefined || v === null || v === '') return {};
  if (!isJsonObject(v)) throw invalid('"pcrs" must be a map of PCR index to hex value', 'invalid_field');
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(v as Record<string, unknown>)) {
    if (!/^(?:[0-9]|[12][0-9]|3[01])$/.test(k)) throw invalid('"pcrs" keys must be PCR indexes 0..31', 'invalid_field');
    setOwn(out, k, checkMeasurementSize(platform, 'pcr', `pcrs.${k}`, hexValue(val, `pcrs.${k}`)));
  }
  return out;
}

/** The generic id field, or its platform name (e.g. SGX mr_signer for signer_id); both must agree. */
function identityField(platform: PlatformName, data: Data, generic: 'signer_id' | 'enclave_id', named: Record<string, string>, alias: string | undefined): string | undefined {
  const value = data[generic] === undefined || data[generic] === null || data[generic] === '' ? undefined
    : checkMeasurementSize(platform, alias ?? generic, generic, hexValue(data[generic], generic));
  if (alias === undefined || named[alias] === undefined) return value;
  const aliased = named[alias];
  delete named[alias];
  if (value !== undefined && value !== aliased) throw invalid(`"${generic}" and "${alias}" name the same value and differ`, 'invalid_field');
  return aliased;
}

/** A role from a create/update request (the whole role is given each time, as in Vault). */
export function roleFromRequest(name: string, data: Data): ApmRole {
  const platform = stringField(data, 'platform');
  if (!isPlatformName(platform)) throw invalid('"platform" must name a supported platform (nitro, snp, tdx, sgx)', 'invalid_field');
  refuseUnknownFields(data);
  refuseForeignFields(platform, data);
  const measurements = namedMeasurements(platform, data);
  const fields = PLATFORM_FIELDS[platform];
  const signerId = identityField(platform, data, 'signer_id', measurements, fields.signer);
  const enclaveId = identityField(platform, data, 'enclave_id', measurements, fields.enclave);
  if (platform === 'nitro' && signerId === undefined) throw invalid('"signer_id" is required', 'invalid_field');
  // MROWNER, MRCONFIGID and MROWNERCONFIG are what the host passes when it creates the TD: any
  // image can carry them in a genuine quote. Only MRTD (and the RTMRs) measure what runs.
  if (platform === 'tdx' && enclaveId === undefined) {
    throw invalid('a tdx role must pin mr_td: mr_owner, mr_config_id and mr_owner_config are chosen by the host, not measured', 'invalid_field');
  }
  // MRTD measures only the firmware: any TD booted from it (another tenant's, on the same cloud)
  // carries the same value. The kernel and the workload are in RTMR1-3.
  if (platform === 'tdx' && tdxRoleLacks({ enclaveId, measurements }) !== undefined) {
    throw invalid('a tdx role must pin rtmr1, rtmr2 or rtmr3 as well as mr_td: mr_td measures only the TD firmware, which every TD booted from it shares; the kernel, its command line and initrd, and the workload are measured into RTMR1-3', 'invalid_field');
  }
  if (enclaveId === undefined && (signerId === undefined || /^0+$/.test(signerId))) {
    throw invalid(`a ${platform} role must pin the enclave (${fields.enclave}) or a non-zero signer (${fields.signer})`, 'invalid_field');
  }
  const policies = sanitizePolicies(stringListField(data, 'token_policies'), false);
  if (policies.includes('root')) throw invalid('a role may not grant the root policy', 'invalid_field');
  const reserved = nonAssignablePolicy(policies);
  if (reserved !== undefined) throw invalid(`cannot assign policy "${reserved}"`, 'invalid_field');
  const numUses = intField(data, 'token_num_uses');
  if (numUses < 0) throw invalid('"token_num_uses" must not be negative', 'invalid_field');
  const role: ApmRole = {
    name: validRoleName(name),
    platform,
    pcrs: pcrsField(platform, data),
    measurements,
    tokenPolicies: policies,
    tokenTtl: durationField(data, 'token_ttl'),
    tokenNumUses: numUses,
  };
  if (signerId !== undefined) role.signerId = signerId;
  if (enclaveId !== undefined) role.enclaveId = enclaveId;
  const rules = { minTcb: snpMinTcb(data), vmpl: vmplField(data), minIsvSvn: minIsvSvnField(data), acceptedTcbStatuses: acceptedTcbStatuses(data), minTcbStatus: minTcbStatus(data) };
  for (const [key, value] of Object.entries(rules)) if (value !== undefined) Object.assign(role, { [key]: value });
  const allowDebug = boolField(data, 'allow_debug');
  if (allowDebug !== undefined) role.allowDebug = allowDebug;
  if (boolField(data, 'allow_migration_agent') === true) role.allowMigrationAgent = true;
  if (boolField(data, 'token_bound_to_enclave_key') === true) {
    if (platform !== 'nitro') throw invalid(`"token_bound_to_enclave_key" does not apply to ${platform} roles: only a Nitro attestation document carries a public key`, 'invalid_field');
    role.tokenBoundToEnclaveKey = true;
  }
  return role;
}

export function roleView(role: ApmRole): Record<string, unknown> {
  const view: Record<string, unknown> = {
    platform: role.platform,
    ...(role.signerId !== undefined ? { signer_id: role.signerId } : {}),
    ...(role.platform === 'nitro' ? { pcrs: role.pcrs } : {}),
    ...(role.measurements ?? {}),
    token_policies: role.tokenPolicies,
    token_ttl: role.tokenTtl,
    token_num_uses: role.tokenNumUses,
  };
  if (role.enclaveId !== undefined) view.enclave_id = role.enclaveId;
  const { signer, enclave } = PLATFORM_FIELDS[role.platform];
  if (signer && role.signerId !== undefined) view[signer] = role.signerId;
  if (enclave && role.enclaveId !== undefined) view[enclave] = role.enclaveId;
  if (role.minTcb) view.min_tcb = role.minTcb;
  if (role.vmpl !== undefined) view.vmpl = role.vmpl;
  if (role.platform === 'snp') view.allow_migration_agent = role.allowMigrationAgent === true;
  if (role.minIsvSvn !== undefined) view.min_isv_svn = role.minIsvSvn;
  if (role.platform === 'tdx' || role.platform === 'sgx') view.accepted_tcb_statuses = role.acceptedTcbStatuses ?? DEFAULT_ACCEPTED_TCB;
  if (role.minTcbStatus) view.min_tcb_status = role.minTcbStatus;
  if (role.allowDebug !== undefined) view.allow_debug = role.allowDebug;
  if (role.platform === 'nitro') view.token_bound_to_enclave_key = role.tokenBoundToEnclaveKey === true;
  return view;
}

export interface RoleStore {
  get(name: string): Promise<ApmRole | undefined>;
  put(role: ApmRole): Promise<void>;
  delete(name: string): Promise<void>;
  /** All roles, loaded once and kept current by put/delete (this backend is the only writer). */
  all(): Promise<ApmRole[]>;
}

export function createRoleStore(storage: Storage): RoleStore {
  let cache: Map<string, ApmRole> | undefined;
  let loading: Promise<Map<string, ApmRole>> | undefined;
  // Writes of one role one at a time, so storage and the map agree on which came last.
  const locked = keyedLock();

  async function load(): Promise<Map<string, ApmRole>> {
    if (cache) return cache;
    loading ??= (async () => {
      const map = new Map<string, ApmRole>();
      for (const key of await storage.list('role/')) {
        const role = await getJson<ApmRole>(storage, `role/${key}`);
        if (role) map.set(role.name, { ...role, measurements: role.measurements ?? {} }); // roles stored before named measurements
      }
      cache = map;
      return map;
    })();
    // A failed load is tried again by the next caller, not kept.
    loading.catch(() => { loading = undefined; });
    return loading;
  }

  return {
    async get(name) {
      return (await load()).get(name);
    },
    put: (role) => locked(role.name, async () => {
      const map = await load();
      await putJson(storage, `role/${role.name}`, role);
      map.set(role.name, role);
    }),
    delete: (name) => locked(name, async () => {
      const map = await load();
      await storage.delete(`role/${name}`);
      map.delete(name);
    }),
    async all() {
      return [...(await load()).values()].sort((a, b) => a.name.localeCompare(b.name));
    },
  };
}
