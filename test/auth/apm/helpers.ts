/** Drives the apm backend through handleRequest, as the core would (memory storage, manual clock). */
import { apmBackend, type ApmBackendDeps } from '../../../src/auth/apm/index.js';
import { createDevCa, createDevEnclave, type DevCa } from '../../../src/attestation/index.js';
import type { Backend, LogicalResponse, MountEntry, Operation } from '../../../src/core/index.js';
import { manualClock, type ManualClock } from '../../../src/lib/clock.js';
import type { JournalWriter } from '../../../src/journal/index.js';
import { createMemoryStorage } from '../../../src/storage/memory/index.js';
import type { Storage } from '../../../src/storage/index.js';

export const T0 = Date.UTC(2025, 5, 1, 12, 0, 0);
export const IMAGE = 'ab'.repeat(48);
export const OTHER_IMAGE = 'a0'.repeat(48);
export const SIGNER = 'cd'.repeat(48);

export const mount: MountEntry = {
  table: 'auth', path: 'apm/', type: 'apm', description: '', accessor: 'auth_apm_1', uuid: 'u',
  config: { defaultLeaseTtl: 0, maxLeaseTtl: 0, auditNonHmacRequestKeys: [], auditNonHmacResponseKeys: [], listingVisibility: '', passthroughRequestHeaders: [] },
  options: {}, local: false, sealWrap: false,
};

export interface Harness {
  clock: ManualClock;
  ca: DevCa;
  backend: Backend;
  call(operation: Operation, path: string, data?: Record<string, unknown>): Promise<LogicalResponse | undefined>;
  /** init → { correlationId, challenge bytes } */
  init(platform?: string): Promise<{ correlationId: string; challenge: Uint8Array }>;
  /** Evidence from a dev enclave running `image` signed by `signer`. */
  evidence(nonce: Uint8Array | null, image?: string, signer?: string): string;
  auth(correlationId: string, message: string, platform?: string): Promise<LogicalResponse | undefined>;
}

export async function harness(options: { trustDevCa?: boolean; deps?: Partial<ApmBackendDeps>; journal?: JournalWriter; storage?: Storage } = {}): Promise<Harness> {
  const clock = manualClock(T0);
  const ca = createDevCa({ clock });
  const backend = await apmBackend({
    clock,
    trustedDevRoots: options.trustDevCa === false ? undefined : () => [ca.material.rootCertPem],
    ...options.deps,
  })({ mount, storage: options.storage ?? createMemoryStorage(), clock, journal: options.journal });
  let n = 0;
  const call = (operation: Operation, path: string, data: Record<string, unknown> = {}) => {
    const logical = {
      id: `req-${++n}`, operation, path: `auth/apm/${path}`, data, clientToken: '',
      remoteAddress: '127.0.0.1', remotePort: 1, headers: {}, wrapTtl: 0,
    };
    return backend.handleRequest({ logical, operation, path, data, mount });
  };
  return {
    clock, ca, backend, call,
    async init(platform = 'nitro') {
      const res = await call('update', `v0/attest/${platform}/init`);
      const inner = (res!.data as { data: { correlation_id: string; challenge: string } }).data;
      return { correlationId: inner.correlation_id, challenge: Buffer.from(inner.challenge, 'base64') };
    },
    evidence(nonce, image = IMAGE, signer = SIGNER) {
      const doc = createDevEnclave({ ca, clock, pcrs: { 0: image, 8: signer } }).attest({ nonce });
      return Buffer.from(doc).toString('base64');
    },
    auth: (correlationId, message, platform = 'nitro') => call('update', `v0/attest/${platform}/auth`, { correlation_id: correlationId, message }),
  };
}
