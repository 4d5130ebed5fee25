/**
 * Critical extensions (RFC 5280 §4.2): a certificate carrying a critical extension the verifier
 * does not process MUST be refused. An issuer marks an extension critical precisely so that a
 * verifier which would ignore it (a name or policy constraint, a vendor's usage restriction)
 * refuses the certificate instead of trusting it more widely than the issuer meant; OpenSSL's
 * chain verification does (X509_V_ERR_UNHANDLED_CRITICAL_EXTENSION), node:crypto's parser says
 * nothing. Every chain walk (Nitro, SEV-SNP, DCAP) applies this to each certificate of the path,
 * its trust anchor included, as OpenSSL does.
 *
 * Processed everywhere: basicConstraints and keyUsage (issuer-rules.ts, path-length.ts). A
 * platform adds what it reads from its leaf: AMD's VCEK/VLEK extensions, Intel's SGX extensions.
 */
import type { X509Certificate } from 'node:crypto';
import type { VerifyFailureCode } from '../types.js';
import { certificateExtensions } from './extensions.js';

const BASIC_CONSTRAINTS = '2.5.29.19';
const KEY_USAGE = '2.5.29.15';
const PROCESSED: ReadonlySet<string> = new Set([BASIC_CONSTRAINTS, KEY_USAGE]);

export interface ExtensionProblem {
  code: Extract<VerifyFailureCode, 'malformed' | 'unknown_critical_extension'>;
  message: string;
}

/**
 * Why `cert` (`name` says which one, as in the caller's other refusals) may not be used: its
 * extensions are unreadable, or one is critical and neither basicConstraints, keyUsage nor one
 * of `alsoProcessed` (OIDs the caller reads from it). Undefined when it may.
 */
export function criticalExtensionProblem(cert: X509Certificate, name: string, alsoProcessed: readonly string[] = []): ExtensionProblem | undefined {
  let extensions: ReturnType<typeof certificateExtensions>;
  try {
    extensions = certificateExtensions(cert.raw);
  } catch {
    return { code: 'malformed', message: `${name} has unreadable extensions` };
  }
  for (const [oid, extension] of extensions) {
    if (extension.critical && !PROCESSED.has(oid) && !alsoProcessed.includes(oid)) {
      return { code: 'unknown_critical_extension', message: `${name} has an unrecognised critical extension (${oid})` };
    }
  }
  return undefined;
}
