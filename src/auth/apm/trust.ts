/**
 * The trust anchors for one platform: the pinned AWS Nitro root (unless the operator turned it
 * off), the operator's own roots, and — only when the server passes them, i.e. in dev mode — the
 * development enclave's CA roots. Parsed certificates are memoised by their PEM text.
 */
import type { X509Certificate } from 'node:crypto';
import { awsNitroRoot, parsePemCertificates } from '../../attestation/index.js';
import type { PlatformConfig } from './config.js';

export type RootResolver = (config: PlatformConfig) => X509Certificate[];

export function createRootResolver(devRoots: (() => string[]) | undefined): RootResolver {
  const parsed = new Map<string, X509Certificate[]>();
  const parse = (pem: string) => {
    let certs = parsed.get(pem);
    if (!certs) {
      certs = parsePemCertificates(pem);
      if (parsed.size > 64) parsed.clear(); // a handful of distinct PEM texts in practice
      parsed.set(pem, certs);
    }
    return certs;
  };
  return (config) => [
    ...(config.includeAwsRoot ? [awsNitroRoot()] : []),
    ...(config.trustedRootsPem ? parse(config.trustedRootsPem) : []),
    ...(devRoots ? devRoots().flatMap(parse) : []),
  ];
}
