/**
 * A cache of certificate work that does not change between documents: every Nitro document of one
 * host carries the same cabundle (root → regional → zonal → instance certificates); only the leaf
 * changes per enclave. Caching the parsed certificates and the "child was signed by issuer" facts
 * skips the chain's ECDSA P-384 verifications (four for the cabundle, one more for a known leaf),
 * leaving the document's own ES384 signature as the one verification per document.
 *
 * A signature fact is keyed by the SHA-256 of both DER encodings, so it is a fact about those exact
 * bytes and holds whoever trusts what: trust in the chain's top is still decided on every call, and
 * every certificate's validity is still checked at the verification time. A fact is only used while
 * the verification time is inside both certificates' validity. Bounded; oldest entries go first.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { LruMap } from '../../lib/lru.js';
import { certificateValidity } from './validity.js';

export interface CertificateCache {
  /** The parsed certificate for these DER bytes (parsed once). Throws on unparseable DER. */
  parse(der: Uint8Array): X509Certificate;
  /** Was `child` already verified as signed by `issuer`, and is the fact usable at `now`? */
  hasVerifiedLink(child: X509Certificate, issuer: X509Certificate, now: number): boolean;
  rememberVerifiedLink(child: X509Certificate, issuer: X509Certificate): void;
  readonly size: number;
  clear(): void;
}

interface Link {
  notBefore: number;
  notAfter: number;
}

export function createCertificateCache(options: { maxEntries?: number } = {}): CertificateCache {
  const maxEntries = options.maxEntries ?? 1024;
  const parsed = new LruMap<string, X509Certificate>(maxEntries);
  const links = new LruMap<string, Link>(maxEntries);
  const linkKey = (child: X509Certificate, issuer: X509Certificate) => `${child.fingerprint256}|${issuer.fingerprint256}`;

  return {
    parse(der) {
      const key = createHash('sha256').update(der).digest('hex');
      let cert = parsed.get(key);
      if (!cert) {
        cert = new X509Certificate(der);
        parsed.set(key, cert);
      }
      return cert;
    },
    hasVerifiedLink(child, issuer, now) {
      const link = links.get(linkKey(child, issuer));
      return link !== undefined && now >= link.notBefore && now <= link.notAfter;
    },
    rememberVerifiedLink(child, issuer) {
      const c = certificateValidity(child);
      const i = certificateValidity(issuer);
      if (!c || !i) return;
      links.set(linkKey(child, issuer), { notBefore: Math.max(c.notBefore, i.notBefore), notAfter: Math.min(c.notAfter, i.notAfter) });
    },
    get size() {
      return parsed.size + links.size;
    },
    clear() {
      parsed.clear();
      links.clear();
    },
  };
}
