/**
 * What a certificate must be to issue another (RFC 5280 §6.1.4 (k) and (n)): a CA by
 * basicConstraints (cA TRUE) and, when it carries a keyUsage extension, one whose keyUsage has
 * keyCertSign (bit 5). Without this a leaf that chains to a trusted root (an enclave's key, a
 * collateral signing key) could sign a certificate below itself and pass wherever only signatures
 * are checked. A missing keyUsage is no restriction; an unreadable one is a refusal. Every chain
 * walk (Nitro, SEV-SNP, DCAP) applies it to each certificate that verifies another.
 *
 * node:crypto's `ca` (OpenSSL's X509_check_ca) folds keyUsage into its answer and tolerates
 * keyUsage encodings DER forbids; the extensions are read here so a refusal says which rule failed,
 * and `ca` is still required on top.
 */
import type { X509Certificate } from 'node:crypto';
import { children, expectTag, parseDer } from '../../lib/der-reader.js';
import { certificateExtensions, type Extension } from './extensions.js';

const BASIC_CONSTRAINTS = '2.5.29.19';
const KEY_USAGE = '2.5.29.15';
/** keyCertSign is bit 5 of KeyUsage: 0x04 in the first byte (bit 0, digitalSignature, is 0x80). */
const KEY_CERT_SIGN = 0x04;

/** basicConstraints cA (DEFAULT FALSE; no extension is not a CA); undefined when unreadable. */
function basicConstraintsCa(ext: Extension | undefined): boolean | undefined {
  if (!ext) return false;
  try {
    // BasicConstraints ::= SEQUENCE { cA BOOLEAN DEFAULT FALSE, pathLenConstraint INTEGER (0..MAX) OPTIONAL }
    const first = children(expectTag(parseDer(ext.value), 0x30, 'BasicConstraints'))[0];
    if (first?.tag !== 0x01) return false;
    if (first.content.length !== 1 || (first.content[0] !== 0x00 && first.content[0] !== 0xff)) return undefined;
    return first.content[0] === 0xff;
  } catch {
    return undefined;
  }
}

/**
 * The first byte of keyUsage's bits (the one holding keyCertSign); 0 for an empty bit list;
 * undefined when the value is not one DER BIT STRING of at most the nine named bits (two bytes)
 * with zero padding bits. Encodings that keep trailing zero bits are accepted (AMD's ASK has one).
 */
function keyUsageFirstByte(ext: Extension): number | undefined {
  try {
    const content = expectTag(parseDer(ext.value), 0x03, 'KeyUsage').content;
    if (content.length < 1 || content.length > 3) return undefined;
    const unused = content[0];
    if (unused > 7 || (content.length === 1 && unused !== 0)) return undefined;
    if (content.length > 1 && (content[content.length - 1] & ((1 << unused) - 1)) !== 0) return undefined;
    return content.length > 1 ? content[1] : 0;
  } catch {
    return undefined;
  }
}

/**
 * Why `cert` may not issue the certificate it verified (`name` says which one it is, as in the
 * caller's other chain refusals); undefined when it may. Names the rule, never the bytes.
 */
export function issuerProblem(cert: X509Certificate, name: string): string | undefined {
  let extensions: Map<string, Extension>;
  try {
    extensions = certificateExtensions(cert.raw);
  } catch {
    return `${name} has unreadable extensions`;
  }
  const ca = basicConstraintsCa(extensions.get(BASIC_CONSTRAINTS));
  if (ca === undefined) return `${name} has an unreadable basicConstraints extension`;
  if (!ca) return `${name} issues a certificate but is not a CA`;
  const keyUsage = extensions.get(KEY_USAGE);
  if (keyUsage) {
    const bits = keyUsageFirstByte(keyUsage);
    if (bits === undefined) return `${name} has an unreadable keyUsage extension`;
    if (!(bits & KEY_CERT_SIGN)) return `${name} issues a certificate but its keyUsage does not allow certificate signing (keyCertSign)`;
  }
  if (!cert.ca) return `${name} issues a certificate but is not a CA`;
  return undefined;
}
