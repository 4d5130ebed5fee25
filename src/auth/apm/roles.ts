/**
 * Authorization roles, as APM users know them: a role admits either every enclave of a signer
 * (`signer_id` only) or one build of it (`signer_id` + `enclave_id`), optionally with further PCR
 * values that must all match, and says which token the workload receives.
 *
 *   role/<name>  { platform, signer_id, enclave_id?, pcrs?: {"<n>": "<hex>"}, allow_debug?,
 *                  token_policies, token_ttl, token_num_uses }
 */
import { invalid } from '../../errors/index.js';
import { isPlatformName, type PlatformName } from '../../attestation/index.js';
import { getJson, putJson, type Storage } from '../../storage/index.js';
import { boolField, durationField, intField, stringField, stringListField } from '../token/fields.js';
import { sanitizePolicies } from '../token/policies.js';
import { isJsonObject, setOwn } from '../../lib/safe-object.js';

export interface ApmRole {
  name: string;
  platform: PlatformName;
  /** Lower-case hex. */
  signerId: string;
  enclaveId?: string;
  /** Register name ("0".."31") → lower-case hex. */
  pcrs: Record<string, string>;
  /** Undefined: the platform config decides. */
  allowDebug?: boolean;
  tokenPolicies: string[];
  /** Seconds; 0 = the mount default. */
  tokenTtl: number;
  /** 0 = unlimited. */
  tokenNumUses: number;
}

type Data = Readonly<Record<string, unknown>>;

const ROLE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;
const HEX = /^(?:[0-9a-f]{2})+$/;

export function validRoleName(name: string): string {
  if (!ROLE_NAME.test(name)) throw invalid('role name must be 1-128 letters, digits, "_", "-" or "." (not starting with a symbol)', 'invalid_role_name');
  return name;
}

function hexField(value: unknown, field: string): string {
  const s = typeof value === 'string' ? value.trim().toLowerCase() : '';
  if (!HEX.test(s)) throw invalid(`"${field}" must be a hex string`, 'invalid_field');
  return s;
}

function pcrsField(data: Data): Record<string, string> {
  const v = data.pcrs;
  if (v === undefined || v === null || v === '') return {};
  if (!isJsonObject(v)) throw invalid('"pcrs" must be a map of PCR index to hex value', 'invalid_field');
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(v as Record<string, unknown>)) {
    if (!/^(?:[0-9]|[12][0-9]|3[01])$/.test(k)) throw invalid('"pcrs" keys must be PCR indexes 0..31', 'invalid_field');
    setOwn(out, k, hexField(val, `pcrs.${k}`));
  }
  return out;
}

/** A role from a create/update request (the whole role is given each time, as in Vault). */
export function roleFromRequest(name: string, data: Data): ApmRole {
  const platform = stringField(data, 'platform');
  if (!isPlatformName(platform)) throw invalid('"platform" must name a supported platform (nitro)', 'invalid_field');
  const enclave = stringField(data, 'enclave_id');
  const policies = sanitizePolicies(stringListField(data, 'token_policies'), false);
  if (policies.includes('root')) throw invalid('a role may not grant the root policy', 'invalid_field');
  const numUses = intField(data, 'token_num_uses');
  if (numUses < 0) throw invalid('"token_num_uses" must not be negative', 'invalid_field');
  const role: ApmRole = {
    name: validRoleName(name),
    platform,
    signerId: hexField(data.signer_id, 'signer_id'),
    pcrs: pcrsField(data),
    tokenPolicies: policies,
    tokenTtl: durationField(data, 'token_ttl'),
    tokenNumUses: numUses,
  };
  if (enclave !== '') role.enclaveId = hexField(enclave, 'enclave_id');
  const allowDebug = boolField(data, 'allow_debug');
  if (allowDebug !== undefined) role.allowDebug = allowDebug;
  return role;
}

export function roleView(role: ApmRole): Record<string, unknown> {
  const view: Record<string, unknown> = {
    platform: role.platform,
    signer_id: role.signerId,
    pcrs: role.pcrs,
    token_policies: role.tokenPolicies,
    token_ttl: role.tokenTtl,
    token_num_uses: role.tokenNumUses,
  };
  if (role.enclaveId !== undefined) view.enclave_id = role.enclaveId;
  if (role.allowDebug !== undefined) view.allow_debug = role.allowDebug;
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

  async function load(): Promise<Map<string, ApmRole>> {
    if (cache) return cache;
    loading ??= (async () => {
      const map = new Map<string, ApmRole>();
      for (const key of await storage.list('role/')) {
        const role = await getJson<ApmRole>(storage, `role/${key}`);
        if (role) map.set(role.name, role);
      }
      cache = map;
      return map;
    })();
    return loading;
  }

  return {
    async get(name) {
      return (await load()).get(name);
    },
    async put(role) {
      const map = await load();
      await putJson(storage, `role/${role.name}`, role);
      map.set(role.name, role);
    },
    async delete(name) {
      const map = await load();
      await storage.delete(`role/${name}`);
      map.delete(name);
    },
    async all() {
      return [...(await load()).values()].sort((a, b) => a.name.localeCompare(b.name));
    },
  };
}
