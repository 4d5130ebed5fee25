/**
 * The trust anchors for one platform: the vendor's pinned roots (AWS Nitro G1; AMD ARK Milan,
 * Genoa, Turin; the Intel SGX Root CA) unless the operator turned them off, the operator's own
 * roots, and — only for Nitro, and only when the server passes them, i.e. in dev mode — the
 * development enclave's CA roots. Parsed certificates are memoised by their PEM text.
 */
import type { X509Certificate } from 'node:crypto';
import { parsePemCertificates, vendorRoots, type PlatformName } from '../../attestation/index.js';
import { LruMap } from '../../lib/lru.js';
import type { PlatformConfig } from './config.js';

export type RootResolver = (platform: PlatformName, config: PlatformConfig) => X509Certificate[];

/** Distinct PEM texts kept parsed: a handful in practice (one per platform, plus the dev CA). */
const PARSED_PEM_ENTRIES = 64;

export function createRootResolver(devRoots: (() => string[]) | undefined): RootResolver {
  const parsed = new LruMap<string, X509Certificate[]>(PARSED_PEM_ENTRIES);
  const parse = (pem: string) => {
    let certs = parsed.get(pem);
    if (!certs) {
      certs = parsePemCertificates(pem);
      parsed.set(pem, certs);
    }
    return certs;
  };
  return (platform, config) => [
    ...(config.includeVendorRoot ? vendorRoots(platform) : []),
    ...(config.trustedRootsPem ? parse(config.trustedRootsPem) : []),
    ...(devRoots && platform === 'nitro' ? devRoots().flatMap(parse) : []),
  ];
}
