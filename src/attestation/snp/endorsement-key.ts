/**
 * What a VCEK or VLEK certificate says about the chip it was issued for, from AMD's private
 * extensions (VCEK certificate spec 57230): the product name, the TCB SPLs it was derived for and,
 * for a VCEK, the chip's hwID. A VLEK is derived per CSP, not per chip, and carries no hwID.
 */
import type { X509Certificate } from 'node:crypto';
import { parseDer, smallUnsigned } from '../../lib/der-reader.js';
import { certificateExtensions } from '../x509/extensions.js';
import type { SigningKey } from './report.js';

const AMD = '1.3.6.1.4.1.3704.1';
export const SNP_OID = {
  structVersion: `${AMD}.1`,
  productName: `${AMD}.2`,
  bootloader: `${AMD}.3.1`,
  tee: `${AMD}.3.2`,
  snp: `${AMD}.3.3`,
  microcode: `${AMD}.3.8`,
  fmc: `${AMD}.3.9`,
  hwId: `${AMD}.4`,
  cspId: `${AMD}.5`,
} as const;

/** The extensions readEndorsementKey reads (a critical one of these is processed, x509/critical-extensions.ts). */
export const READ_EXTENSIONS: readonly string[] = [
  SNP_OID.productName, SNP_OID.bootloader, SNP_OID.tee, SNP_OID.snp, SNP_OID.microcode, SNP_OID.fmc, SNP_OID.hwId,
];

export interface EndorsementKey {
  kind: SigningKey;
  /** The product name extension as written, e.g. "Milan-B0" (VCEK) or "Milan" (VLEK). */
  productName: string;
  /** TCB SPLs by component; a component the certificate does not state is absent. */
  spl: Partial<Record<'bootloader' | 'tee' | 'snp' | 'microcode' | 'fmc', number>>;
  /** The raw hwID (VCEK only). */
  hwId: Uint8Array | undefined;
}

const TEXT_TAGS = new Set([0x0c, 0x13, 0x16]); // UTF8String, PrintableString, IA5String

/** The subject's CN: "SEV-VCEK" or "SEV-VLEK" for endorsement keys. */
export function commonName(cert: X509Certificate): string | undefined {
  return cert.subject.split('\n').find((line) => line.startsWith('CN='))?.slice(3);
}

/** Reads the extensions; throws on a certificate that is neither kind or lacks its product name. */
export function readEndorsementKey(cert: X509Certificate): EndorsementKey {
  const cn = commonName(cert);
  const kind = cn === 'SEV-VCEK' ? 'vcek' : cn === 'SEV-VLEK' ? 'vlek' : undefined;
  if (!kind) throw new Error('the signing certificate is neither a VCEK nor a VLEK');
  const extensions = certificateExtensions(cert.raw);
  const name = extensions.get(SNP_OID.productName);
  if (!name) throw new Error('the signing certificate has no product name');
  const nameTlv = parseDer(name.value);
  if (!TEXT_TAGS.has(nameTlv.tag)) throw new Error('the product name is not a string');

  const spl: EndorsementKey['spl'] = {};
  for (const component of ['bootloader', 'tee', 'snp', 'microcode', 'fmc'] as const) {
    const ext = extensions.get(SNP_OID[component]);
    if (ext) spl[component] = smallUnsigned(parseDer(ext.value));
  }
  return {
    kind,
    productName: Buffer.from(nameTlv.content).toString('latin1'),
    spl,
    // The hwID extension holds the raw id bytes, not a DER value.
    hwId: extensions.get(SNP_OID.hwId)?.value,
  };
}
