/**
 * Attestation login (the APM flow) and role management for the `apm` auth method.
 *
 * @example
 * ```ts
 * import { SealtrailClient, apmLogin } from 'sealtrail/sdk';
 *
 * const client = new SealtrailClient({ address: 'http://127.0.0.1:8200' });
 * const login = await apmLogin(client, {
 *   platform: 'nitro',
 *   // inside a Nitro enclave: ask the NSM for a document with nonce = challenge;
 *   // without hardware: createDevEnclave({ ca, clock, pcrs }).attest({ nonce: challenge })
 *   attest: (challenge) => nsm.attestation({ nonce: challenge }),
 * });
 * client.setToken(login.token);
 * console.log(login.correlationId, login.entityId);
 * ```
 */
import { createHash } from 'node:crypto';
import type { AuthInfo, VaultResponse } from './types.js';

/** The part of a client the APM calls need (SealtrailClient satisfies it). */
export interface ApmClient {
  write(path: string, data?: Record<string, unknown>): Promise<VaultResponse<unknown> | undefined>;
  read(path: string): Promise<VaultResponse<unknown> | undefined>;
  delete(path: string): Promise<VaultResponse<unknown> | undefined>;
  list(path: string): Promise<VaultResponse<{ keys?: string[] }> | undefined>;
}

export interface ApmLoginOptions {
  /** Where the auth method is mounted, without `auth/`; default `apm`. */
  mount?: string;
  platform: string;
  /**
   * Produces evidence bound to `challenge` (32 bytes): a Nitro document's nonce, or the first 32
   * bytes of SEV-SNP / TDX / SGX REPORT_DATA.
   */
  attest: (challenge: Uint8Array) => Promise<Uint8Array> | Uint8Array;
  /** SEV-SNP: the VCEK or VLEK (DER), and optionally its ASK/ASVK, sent with the report. */
  certificates?: readonly Uint8Array[];
  /** TDX/SGX: the DCAP collateral document, when the server has none stored or it is stale. */
  collateral?: Record<string, string>;
  /**
   * Opens a token the server sealed to the document's `public_key` (a role with
   * `token_bound_to_enclave_key`): CMS EnvelopedData, as KMS's CiphertextForRecipient, which the
   * enclave opens with its private key (OpenSSL's CMS_decrypt, or Sealtrail's `openEnvelope`).
   */
  openToken?: (envelope: Uint8Array) => Promise<string | undefined> | string | undefined;
  /**
   * Refuse an answer with the token in clear: whoever relays the login could put its own token
   * there, and the workload would then act as that token. Set it when the roles bind the token
   * (and give `openToken`). It does not prove who sealed a sealed answer: a relay can seal a token
   * of its own to the document's public key, which it relays. Only TLS ending inside the enclave
   * says the answer is the server's.
   */
  requireSealedToken?: boolean;
}

export interface ApmLoginResult {
  token: string;
  accessor: string;
  entityId: string;
  correlationId: string;
  signerId: string;
  enclaveId: string;
  policies: string[];
  /** Seconds. */
  leaseDuration: number;
  auth: AuthInfo;
}

const trimSlashes = (s: string) => s.replace(/^\/+|\/+$/g, '');

function nested(envelope: VaultResponse<unknown> | undefined, what: string): Record<string, unknown> {
  const data = envelope?.data as { data?: unknown } | null | undefined;
  if (!data || typeof data.data !== 'object' || data.data === null) throw new Error(`apm ${what}: the server answered without data.data`);
  return data.data as Record<string, unknown>;
}

function stringOf(record: Record<string, unknown>, key: string, what: string): string {
  const v = record[key];
  if (typeof v !== 'string' || v === '') throw new Error(`apm ${what}: the answer has no ${key}`);
  return v;
}

const CHALLENGE_BYTES = 32;

/**
 * The challenge's bytes, exactly 32 in canonical base64. Anything else is refused before the
 * workload attests it: a server that chose 64 bytes would choose all of REPORT_DATA, and with it
 * what the evidence says the workload's own half binds.
 */
function challengeOf(text: string): Uint8Array {
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length !== CHALLENGE_BYTES || bytes.toString('base64') !== text) throw new Error(`apm init: the challenge is not ${CHALLENGE_BYTES} bytes in base64`);
  return new Uint8Array(bytes);
}

/** init → attest(challenge) → auth. Server refusals reject with SealtrailApiError. */
export async function apmLogin(client: Pick<ApmClient, 'write'>, options: ApmLoginOptions): Promise<ApmLoginResult> {
  const base = `auth/${trimSlashes(options.mount ?? 'apm')}/v0/attest/${encodeURIComponent(options.platform)}`;
  const init = nested(await client.write(`${base}/init`, {}), 'init');
  const correlationId = stringOf(init, 'correlation_id', 'init');
  const challenge = challengeOf(stringOf(init, 'challenge', 'init'));
  const evidence = await options.attest(challenge);
  const answer = await client.write(`${base}/auth`, {
    correlation_id: correlationId,
    message: Buffer.from(evidence).toString('base64'),
    ...(options.certificates ? { certificates: options.certificates.map((c) => Buffer.from(c).toString('base64')) } : {}),
    ...(options.collateral ? { collateral: options.collateral } : {}),
  });
  const data = nested(answer, 'auth');
  const answered = answer?.auth;
  if (options.requireSealedToken && answered?.client_token) {
    throw new Error('apm auth: the answer carries the token in clear where a sealed one was required: a relay may have put its own token there');
  }
  const token = answered?.client_token || await sealedToken(data, options);
  if (!answered || !token) throw new Error('apm auth: the server answered without a token');
  const auth = { ...answered, client_token: token };
  return {
    token,
    accessor: auth.accessor,
    entityId: auth.entity_id,
    correlationId: stringOf(data, 'correlation_id', 'auth'),
    signerId: stringOf(data, 'signer_id', 'auth'),
    enclaveId: stringOf(data, 'enclave_id', 'auth'),
    policies: auth.policies ?? [],
    leaseDuration: auth.lease_duration,
    auth,
  };
}

/** A role as the API takes and returns it. */
export interface ApmRoleInput {
  platform: string;
  signer_id: string;
  enclave_id?: string;
  pcrs?: Record<string, string>;
  /** TDX: the registers the kernel and the workload are measured into. */
  rtmr1?: string;
  rtmr2?: string;
  rtmr3?: string;
  allow_debug?: boolean;
  token_policies: string[];
  token_ttl?: string | number;
  token_num_uses?: number;
  /** Nitro: answer the token only sealed to the document's public_key. */
  token_bound_to_enclave_key?: boolean;
}

export interface ApmRolesApi {
  put(name: string, role: ApmRoleInput): Promise<void>;
  get(name: string): Promise<ApmRoleInput | undefined>;
  delete(name: string): Promise<void>;
  list(): Promise<string[]>;
}

export function apmRoles(client: ApmClient, mount = 'apm'): ApmRolesApi {
  const at = (name = '') => `auth/${trimSlashes(mount)}/role${name ? `/${encodeURIComponent(name)}` : ''}`;
  return {
    put: async (name, role) => void (await client.write(at(name), { ...role })),
    get: async (name) => ((await client.read(at(name)))?.data as ApmRoleInput | null | undefined) ?? undefined,
    delete: async (name) => void (await client.delete(at(name))),
    list: async () => (await client.list(at()))?.data?.keys ?? [],
  };
}

/** What `apm authorize` grants: read on one KV v2 secret to a signer, or to one enclave of it. */
export interface ApmAuthorization {
  kind: 'signer' | 'enclave';
  platform: string;
  signerId: string;
  enclaveId?: string;
  /**
   * TDX: RTMRs the role pins besides MRTD (= enclaveId), which measures only the firmware; the
   * server refuses a tdx role without one of them.
   */
  rtmrs?: Partial<Record<TdxWorkloadRtmr, string>>;
  /** The KV v2 mount, e.g. `secret`. */
  enginePath: string;
  secretName: string;
}

export type TdxWorkloadRtmr = 'rtmr1' | 'rtmr2' | 'rtmr3';
const TDX_WORKLOAD_RTMRS: readonly TdxWorkloadRtmr[] = ['rtmr1', 'rtmr2', 'rtmr3'];

// Letters, digits and `_ - . /` only: the names go into HCL text and must not be able to end it.
const SAFE_PATH = /^[A-Za-z0-9_.-]+(?:\/[A-Za-z0-9_.-]+)*$/;
const HEX = /^(?:[0-9a-fA-F]{2})+$/;

/** Checks an authorization; returns it with hex ids lower-cased and paths trimmed of slashes. */
export function normalizeAuthorization(a: ApmAuthorization): ApmAuthorization {
  const enginePath = trimSlashes(a.enginePath);
  const secretName = trimSlashes(a.secretName);
  if (!SAFE_PATH.test(enginePath) || enginePath.split('/').includes('..')) throw new Error('engine path must be a mount path of letters, digits, "_", "-", "." and "/"');
  if (!SAFE_PATH.test(secretName) || secretName.split('/').includes('..')) throw new Error('secret name must be letters, digits, "_", "-", "." and "/"');
  if (!HEX.test(a.signerId)) throw new Error('signer id must be hex');
  if (a.kind === 'enclave' && (a.enclaveId === undefined || !HEX.test(a.enclaveId))) throw new Error('an enclave authorization needs a hex enclave id');
  if (a.kind === 'signer' && a.enclaveId !== undefined) throw new Error('a signer authorization takes no enclave id');
  const out: ApmAuthorization = { ...a, enginePath, secretName, signerId: a.signerId.toLowerCase() };
  if (a.enclaveId !== undefined) out.enclaveId = a.enclaveId.toLowerCase();
  delete out.rtmrs;
  const given = TDX_WORKLOAD_RTMRS.filter((name) => a.rtmrs?.[name] !== undefined);
  if (given.length === 0) return out;
  if (a.platform !== 'tdx') throw new Error('rtmr1, rtmr2 and rtmr3 apply to tdx authorizations only');
  out.rtmrs = {};
  for (const name of given) {
    const value = a.rtmrs![name]!;
    if (!HEX.test(value)) throw new Error(`${name} must be hex`);
    out.rtmrs[name] = value.toLowerCase();
  }
  return out;
}

/**
 * The role and policy name of an authorization: readable prefixes plus a hash of the whole tuple,
 * so authorizing the same thing twice rewrites the same objects and `revoke` finds them again.
 */
export function authorizationName(a: ApmAuthorization): string {
  const n = normalizeAuthorization(a);
  const rtmrs = Object.entries(n.rtmrs ?? {}).map(([name, value]) => `${name}=${value}`);
  const tuple = [n.platform, n.signerId, n.enclaveId ?? '', n.enginePath, n.secretName, ...rtmrs].join('\n');
  const hash = createHash('sha256').update(tuple).digest('hex').slice(0, 16);
  const ids = n.kind === 'enclave' ? `${n.signerId.slice(0, 8)}-${n.enclaveId!.slice(0, 8)}` : n.signerId.slice(0, 8);
  return `apm-${n.platform}-${n.kind}-${ids}-${hash}`;
}

/** The ACL policy (HCL) granting read on the secret through KV v2's `data/` path. */
export function authorizationPolicy(a: ApmAuthorization): string {
  const n = normalizeAuthorization(a);
  const who = n.kind === 'enclave' ? `signer ${n.signerId} enclave ${n.enclaveId}` : `signer ${n.signerId}`;
  return `# Written by sealtrail apm authorize: ${n.platform} ${who}\npath "${n.enginePath}/data/${n.secretName}" {\n  capabilities = ["read"]\n}\n`;
}

/** The token of a bound login's answer, opened by the caller's key; undefined when none came. */
async function sealedToken(data: Record<string, unknown>, options: ApmLoginOptions): Promise<string | undefined> {
  const sealed = data.ciphertext_for_recipient;
  if (typeof sealed !== 'string' || sealed === '') return undefined;
  if (!options.openToken) throw new Error("apm auth: the server sealed the token to the document's public key (ciphertext_for_recipient): pass openToken");
  const token = await options.openToken(new Uint8Array(Buffer.from(sealed, 'base64')));
  if (!token) throw new Error("apm auth: the sealed token does not open with the enclave's key");
  return token;
}
