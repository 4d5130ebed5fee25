/**
 * Platform verifiers by name, and each platform's pinned vendor roots. Exhaustive maps: adding a
 * PlatformName without its verifier or roots is a compile error, so a new platform is one folder
 * plus one line in each map.
 */
import type { X509Certificate } from 'node:crypto';
import { createCertificateCache } from './nitro/cert-cache.js';
import { verifyNitroDocument } from './nitro/verify.js';
import { awsNitroRoot } from './nitro/aws-root.js';
import { amdRoots, verifySnpReport } from './snp/index.js';
import { intelSgxRootCa, verifyDcapQuote } from './dcap/index.js';
import type { PlatformName, PlatformVerifier } from './types.js';

export const PLATFORM_NAMES: readonly PlatformName[] = ['nitro', 'snp', 'tdx', 'sgx'];

export function isPlatformName(name: string): name is PlatformName {
  return (PLATFORM_NAMES as readonly string[]).includes(name);
}

const VENDOR_ROOTS: Record<PlatformName, () => X509Certificate[]> = {
  nitro: () => [awsNitroRoot()],
  snp: amdRoots,
  tdx: () => [intelSgxRootCa()],
  sgx: () => [intelSgxRootCa()],
};

/** The roots a platform's evidence chains to unless the operator says otherwise (each checked against its pin). */
export function vendorRoots(platform: PlatformName): X509Certificate[] {
  return VENDOR_ROOTS[platform]();
}

/** Verifiers with their own caches (one set per server: caches hold only public certificate facts). */
export function createPlatformVerifiers(): Record<PlatformName, PlatformVerifier> {
  const nitroCache = createCertificateCache();
  return {
    nitro: { platform: 'nitro', verify: (evidence, options) => verifyNitroDocument(evidence, { ...options, cache: nitroCache }) },
    snp: { platform: 'snp', verify: verifySnpReport },
    tdx: { platform: 'tdx', verify: (evidence, options) => verifyDcapQuote('tdx', evidence, options) },
    sgx: { platform: 'sgx', verify: (evidence, options) => verifyDcapQuote('sgx', evidence, options) },
  };
}
