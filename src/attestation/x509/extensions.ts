/**
 * Certificate extensions by OID, read from the DER that node:crypto's X509Certificate keeps but
 * does not decode: the SEV-SNP VCEK/VLEK carry the chip id and TCB in private extensions, an SGX
 * PCK certificate its FMSPC and TCB components.
 */
import { children, expectTag, oidText, parseDer, type Tlv } from '../../lib/der-reader.js';

export interface Extension {
  critical: boolean;
  /** The extnValue OCTET STRING's content: the extension's own DER (or raw bytes). */
  value: Uint8Array;
}

/** The TBSCertificate's fields, in order, of a DER certificate. */
function tbsFields(certificateDer: Uint8Array): Tlv[] {
  const certificate = expectTag(parseDer(certificateDer), 0x30, 'Certificate');
  const [tbs] = children(certificate);
  return children(expectTag(tbs, 0x30, 'TBSCertificate'));
}

/**
 * At most this many extensions are read: Intel's, AMD's and AWS's certificates carry under 15.
 * A chain comes with an unauthenticated login, and its certificates' extensions are read (the
 * issuers' rights) before any signature: thousands of them cost tens of ms per login.
 */
export const MAX_EXTENSIONS = 64;

/** Every extension by OID (a duplicated OID is malformed, RFC 5280 §4.2). */
export function certificateExtensions(certificateDer: Uint8Array): Map<string, Extension> {
  const out = new Map<string, Extension>();
  const wrapper = tbsFields(certificateDer).find((f) => f.tag === 0xa3); // [3] EXPLICIT Extensions
  if (!wrapper) return out;
  const [list] = children(wrapper);
  const extensions = children(expectTag(list, 0x30, 'Extensions'));
  if (extensions.length > MAX_EXTENSIONS) throw new Error(`more than ${MAX_EXTENSIONS} certificate extensions`);
  for (const ext of extensions) {
    const parts = children(expectTag(ext, 0x30, 'Extension'));
    const id = oidText(parts[0]);
    const critical = parts.length === 3 && parts[1].tag === 0x01 && parts[1].content[0] !== 0;
    const value = expectTag(parts[parts.length - 1], 0x04, 'extnValue').content;
    if (out.has(id)) throw new Error(`duplicate certificate extension ${id}`);
    out.set(id, { critical, value });
  }
  return out;
}
