/**
 * Attestation benchmarks (run directly: `node --import tsx bench/attestation.ts`).
 *
 *   benchNitroVerify     Nitro document verifications per second, with and without the cache of
 *                        already-verified cabundle certificates (a dev-enclave document: the same
 *                        profile as AWS's — P-384/SHA-384 chain, ES384 COSE signature).
 *   benchApmHandshakes   complete init + auth handshakes through the apm backend in-process (no
 *                        HTTP, no audit): the backend's share of a login, with p99 latency.
 */
import { createCertificateCache, createDevCa, createDevEnclave, verifyNitroDocument } from '../src/attestation/index.js';
import { apmBackend } from '../src/auth/apm/index.js';
import type { MountEntry } from '../src/core/index.js';
import { systemClock } from '../src/lib/clock.js';
import { createMemoryStorage } from '../src/storage/memory/index.js';

const IMAGE = 'ab'.repeat(48);
const SIGNER = 'cd'.repeat(48);

function perSecond(iterations: number, run: () => void): number {
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) run();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return Math.round(iterations / seconds);
}

export async function benchNitroVerify({ iterations }: { iterations: number }): Promise<{ withCache: number; withoutCache: number }> {
  const ca = createDevCa({ clock: systemClock });
  const nonce = new Uint8Array(32).fill(1);
  const doc = createDevEnclave({ ca, clock: systemClock, pcrs: { 0: IMAGE, 8: SIGNER } }).attest({ nonce });
  const roots = [ca.root];
  const check = (ok: boolean) => {
    if (!ok) throw new Error('benchmark document failed to verify');
  };
  const cache = createCertificateCache();
  const verify = (withCache: boolean) => () =>
    check(verifyNitroDocument(doc, { trustedRoots: roots, now: systemClock.now(), expectedNonce: nonce, ...(withCache ? { cache } : {}) }).ok);
  verify(true)(); // warm the cache and the JIT
  verify(false)();
  const withoutCache = perSecond(iterations, verify(false));
  const withCache = perSecond(iterations, verify(true));
  return { withCache, withoutCache };
}

const mount: MountEntry = {
  table: 'auth', path: 'apm/', type: 'apm', description: '', accessor: 'auth_apm_bench', uuid: 'bench',
  config: { defaultLeaseTtl: 0, maxLeaseTtl: 0, auditNonHmacRequestKeys: [], auditNonHmacResponseKeys: [], listingVisibility: '', passthroughRequestHeaders: [] },
  options: {}, local: false, sealWrap: false,
};

export async function benchApmHandshakes({ iterations }: { iterations: number }): Promise<{ perSecond: number; p99Ms: number }> {
  const ca = createDevCa({ clock: systemClock });
  const backend = await apmBackend({ clock: systemClock, trustedDevRoots: () => [ca.material.rootCertPem] })({ mount, storage: createMemoryStorage(), clock: systemClock });
  const enclave = createDevEnclave({ ca, clock: systemClock, pcrs: { 0: IMAGE, 8: SIGNER } });
  let n = 0;
  const call = (path: string, data: Record<string, unknown> = {}) => {
    const logical = { id: `b-${++n}`, operation: 'update' as const, path: `auth/apm/${path}`, data, clientToken: '', remoteAddress: '127.0.0.1', remotePort: 1, headers: {}, wrapTtl: 0 };
    return backend.handleRequest({ logical, operation: 'update', path, data, mount });
  };
  await call('role/bench', { platform: 'nitro', signer_id: SIGNER, token_policies: 'bench' });
  const latencies: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const t0 = process.hrtime.bigint();
    const init = (await call('v0/attest/nitro/init'))!.data!.data as { correlation_id: string; challenge: string };
    const initNs = process.hrtime.bigint() - t0;
    // Producing the document is the enclave's work, not the server's: it is not timed.
    const message = Buffer.from(enclave.attest({ nonce: Buffer.from(init.challenge, 'base64') })).toString('base64');
    const t1 = process.hrtime.bigint();
    const res = await call('v0/attest/nitro/auth', { correlation_id: init.correlation_id, message });
    if (!res?.auth) throw new Error('benchmark login failed');
    latencies.push(Number(initNs + process.hrtime.bigint() - t1) / 1e6);
  }
  const total = latencies.reduce((a, b) => a + b, 0) / 1000;
  latencies.sort((a, b) => a - b);
  return { perSecond: Math.round(iterations / total), p99Ms: Number(latencies[Math.floor(latencies.length * 0.99)].toFixed(3)) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const iterations = Number(process.env.BENCH_ITERATIONS ?? 300);
  console.log('nitro verify/s', await benchNitroVerify({ iterations }));
  console.log('apm handshakes (backend only)', await benchApmHandshakes({ iterations }));
}
