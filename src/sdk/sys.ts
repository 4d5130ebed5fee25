/** `sys/` endpoints: seal lifecycle, mounts, auth methods, ACL policies, audit devices. */
import { dataOf } from './envelope.js';
import type { Transport } from './transport.js';
import type {
  AclPolicy, AuditDevice, AuditEnableInput, HealthResponse, InitRequest, InitResponse, MountConfigInput,
  MountConfigOutput, MountInput, MountOutput, RekeyResult, RekeyStatus, RekeyVerifyStatus, SealStatus,
} from './types.js';

/** Mount paths are given with or without the trailing slash; the API takes them without. (The transport escapes.) */
const mountPath = (path: string) => path.replace(/^\/+|\/+$/g, '');

export interface MountsApi {
  list(): Promise<Record<string, MountOutput>>;
  enable(path: string, input: MountInput): Promise<void>;
  disable(path: string): Promise<void>;
  tune(path: string, config: MountConfigInput): Promise<void>;
  readTune(path: string): Promise<MountConfigOutput>;
}

export interface SysApi {
  initStatus(): Promise<boolean>;
  /** Without a request the server chooses the shares (5 of which 3 unseal; 1 with a key-file seal). */
  init(request?: InitRequest): Promise<InitResponse>;
  /** One key share; `{ reset: true }` discards the shares given so far. */
  unseal(keyOrOptions: string | { reset: true }): Promise<SealStatus>;
  seal(): Promise<void>;
  sealStatus(): Promise<SealStatus>;
  /** Rekeying the unseal key shares (a token with sudo on sys/rekey/*). */
  rekey: {
    status(): Promise<RekeyStatus>;
    init(request: { secret_shares: number; secret_threshold: number; require_verification?: boolean }): Promise<RekeyStatus>;
    cancel(): Promise<void>;
    /** One current share; the answer has the new shares once the threshold is reached. */
    update(key: string, nonce: string): Promise<RekeyStatus | RekeyResult>;
    verifyStatus(): Promise<RekeyVerifyStatus>;
    /** One new share given back; `complete` once a quorum of them verified. */
    verify(key: string, nonce: string): Promise<RekeyVerifyStatus>;
    /** Starts the verification over (a new nonce). */
    verifyCancel(): Promise<RekeyVerifyStatus>;
  };
  /** Always resolves with the health body: the status codes Vault uses (429, 501, 503) are asked to be 299. */
  health(): Promise<HealthResponse>;
  mounts: MountsApi;
  auth: MountsApi;
  policies: {
    read(name: string): Promise<AclPolicy>;
    write(name: string, policy: string): Promise<void>;
    list(): Promise<string[]>;
    delete(name: string): Promise<void>;
  };
  /** Capabilities of the client token on each path: `{ "secret/data/a": ["read"], ... }`. */
  capabilitiesSelf(paths: string | string[]): Promise<Record<string, string[]>>;
  /** The same for another token (`sys/capabilities`, which needs `sudo`). */
  capabilities(token: string, paths: string | string[]): Promise<Record<string, string[]>>;
  /** The same for the token of an accessor (`sys/capabilities-accessor`, which needs `sudo`). */
  capabilitiesAccessor(accessor: string, paths: string | string[]): Promise<Record<string, string[]>>;
  audit: {
    list(): Promise<Record<string, AuditDevice>>;
    enable(path: string, input: AuditEnableInput): Promise<void>;
    disable(path: string): Promise<void>;
    /** HMAC of `input` with the device's salt, as it would appear in that device's log. */
    hash(path: string, input: string): Promise<string>;
  };
}

function mountsApi(t: Transport, base: 'sys/mounts' | 'sys/auth'): MountsApi {
  return {
    list: async () => dataOf<Record<string, MountOutput>>(await t.call('GET', base)),
    enable: async (path, input) => void (await t.call('POST', `${base}/${mountPath(path)}`, { body: input })),
    disable: async (path) => void (await t.call('DELETE', `${base}/${mountPath(path)}`)),
    tune: async (path, config) => void (await t.call('POST', `${base}/${mountPath(path)}/tune`, { body: config })),
    readTune: async (path) => dataOf<MountConfigOutput>(await t.call('GET', `${base}/${mountPath(path)}/tune`)),
  };
}

/** One `sys/capabilities*` call: `whose` names the token (none for the client token's own). */
async function capabilitiesOf(t: Transport, path: string, whose: Record<string, string>, paths: string | string[]): Promise<Record<string, string[]>> {
  const list = typeof paths === 'string' ? [paths] : paths;
  return dataOf<Record<string, string[]>>(await t.call('POST', path, { body: { ...whose, paths: list } }));
}

export function createSysApi(t: Transport): SysApi {
  return {
    initStatus: async () => dataOf<{ initialized: boolean }>(await t.call('GET', 'sys/init')).initialized === true,
    init: async (request) => (await t.call('POST', 'sys/init', { body: request ?? {} })) as InitResponse,
    unseal: async (keyOrOptions) => {
      const body = typeof keyOrOptions === 'string' ? { key: keyOrOptions } : { reset: true };
      return dataOf<SealStatus>(await t.call('POST', 'sys/unseal', { body }));
    },
    seal: async () => void (await t.call('POST', 'sys/seal')),
    sealStatus: async () => dataOf<SealStatus>(await t.call('GET', 'sys/seal-status')),
    rekey: {
      status: async () => dataOf<RekeyStatus>(await t.call('GET', 'sys/rekey/init')),
      init: async (request) => dataOf<RekeyStatus>(await t.call('PUT', 'sys/rekey/init', { body: request })),
      cancel: async () => void (await t.call('DELETE', 'sys/rekey/init')),
      update: async (key, nonce) => dataOf<RekeyStatus | RekeyResult>(await t.call('PUT', 'sys/rekey/update', { body: { key, nonce } })),
      verifyStatus: async () => dataOf<RekeyVerifyStatus>(await t.call('GET', 'sys/rekey/verify')),
      verify: async (key, nonce) => dataOf<RekeyVerifyStatus>(await t.call('PUT', 'sys/rekey/verify', { body: { key, nonce } })),
      verifyCancel: async () => dataOf<RekeyVerifyStatus>(await t.call('DELETE', 'sys/rekey/verify')),
    },
    health: async () => {
      const query = { uninitcode: 299, sealedcode: 299, standbycode: 299, drsecondarycode: 299, performancestandbycode: 299 };
      return dataOf<HealthResponse>(await t.call('GET', 'sys/health', { query }));
    },
    mounts: mountsApi(t, 'sys/mounts'),
    auth: mountsApi(t, 'sys/auth'),
    policies: {
      read: async (name) => dataOf<AclPolicy>(await t.call('GET', `sys/policies/acl/${name}`)),
      write: async (name, policy) => void (await t.call('POST', `sys/policies/acl/${name}`, { body: { policy } })),
      list: async () => dataOf<{ keys?: string[] }>(await t.call('GET', 'sys/policies/acl', { query: { list: true } })).keys ?? [],
      delete: async (name) => void (await t.call('DELETE', `sys/policies/acl/${name}`)),
    },
    capabilitiesSelf: async (paths) => capabilitiesOf(t, 'sys/capabilities-self', {}, paths),
    capabilities: async (token, paths) => capabilitiesOf(t, 'sys/capabilities', { token }, paths),
    capabilitiesAccessor: async (accessor, paths) => capabilitiesOf(t, 'sys/capabilities-accessor', { accessor }, paths),
    audit: {
      list: async () => dataOf<Record<string, AuditDevice>>(await t.call('GET', 'sys/audit')),
      enable: async (path, input) => void (await t.call('POST', `sys/audit/${mountPath(path)}`, { body: input })),
      disable: async (path) => void (await t.call('DELETE', `sys/audit/${mountPath(path)}`)),
      hash: async (path, input) => {
        const body = (await t.call('POST', `sys/audit-hash/${mountPath(path)}`, { body: { input } })) as { hash?: string; data?: { hash?: string } };
        return body?.data?.hash ?? body?.hash ?? '';
      },
    },
  };
}
