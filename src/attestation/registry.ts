/**
 * Platform verifiers by name. An exhaustive map: adding a PlatformName without its verifier is a
 * compile error, so a new platform is one folder plus one line here.
 */
import { createCertificateCache } from './nitro/cert-cache.js';
import { verifyNitroDocument } from './nitro/verify.js';
import type { PlatformName, PlatformVerifier } from './types.js';

export const PLATFORM_NAMES: readonly PlatformName[] = ['nitro'];

export function isPlatformName(name: string): name is PlatformName {
  return (PLATFORM_NAMES as readonly string[]).includes(name);
}

/** Verifiers with their own caches (one set per server: caches hold only public certificate facts). */
export function createPlatformVerifiers(): Record<PlatformName, PlatformVerifier> {
  const nitroCache = createCertificateCache();
  const pending = (platform: PlatformName): PlatformVerifier => ({
    platform,
    verify: () => ({ ok: false, code: 'unsupported_algorithm', message: `${platform} evidence is not verified yet` }),
  });
  return {
    snp: pending('snp'),
    tdx: pending('tdx'),
    sgx: pending('sgx'),
    nitro: { platform: 'nitro', verify: (evidence, options) => verifyNitroDocument(evidence, { ...options, cache: nitroCache }) },
  };
}
