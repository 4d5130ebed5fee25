/**
 * The Intel SGX extensions of a PCK certificate (OID 1.2.840.113741.1.13.1): the platform's TCB
 * as certified by Intel (16 CPU SVN components, PCESVN, CPUSVN), its PCE-ID and its FMSPC, which
 * select and are matched against the TCB info.
 */
import { children, expectTag, oidText, parseDer, smallUnsigned, type Tlv } from '../../lib/der-reader.js';
import { certificateExtensions } from '../x509/index.js';

/** The one extension of a PCK certificate read here (its TCB, PCE-ID and FMSPC are inside it). */
export const SGX_EXTENSIONS = '1.2.840.113741.1.13.1';
const TCB = `${SGX_EXTENSIONS}.2`;
const PCE_ID = `${SGX_EXTENSIONS}.3`;
const FMSPC = `${SGX_EXTENSIONS}.4`;

export interface PckExtensions {
  /** TCB components 1..16 in order. */
  components: number[];
  pcesvn: number;
  cpusvn: Uint8Array;
  /** Upper-case hex, as the TCB info writes them. */
  pceId: string;
  fmspc: string;
}

/** OID → value of a SEQUENCE OF SEQUENCE { OID, value }. */
function byOid(tlv: Tlv): Map<string, Tlv> {
  const out = new Map<string, Tlv>();
  for (const entry of children(expectTag(tlv, 0x30, 'SGX extension list'))) {
    const [id, value] = children(expectTag(entry, 0x30, 'SGX extension'));
    const key = oidText(id);
    if (out.has(key) || value === undefined) throw new Error(`SGX extension ${key} is duplicated or empty`);
    out.set(key, value);
  }
  return out;
}

const hexUpper = (tlv: Tlv, what: string, length: number): string => {
  const bytes = expectTag(tlv, 0x04, what).content;
  if (bytes.length !== length) throw new Error(`${what} is not ${length} bytes`);
  return Buffer.from(bytes).toString('hex').toUpperCase();
};

/** Throws on a certificate without well-formed SGX extensions. */
export function pckExtensions(certificateDer: Uint8Array): PckExtensions {
  const ext = certificateExtensions(certificateDer).get(SGX_EXTENSIONS);
  if (!ext) throw new Error('the PCK certificate has no SGX extensions');
  const top = byOid(parseDer(ext.value));
  const tcbTlv = top.get(TCB);
  const pceId = top.get(PCE_ID);
  const fmspc = top.get(FMSPC);
  if (!tcbTlv || !pceId || !fmspc) throw new Error('the PCK certificate lacks its TCB, PCE-ID or FMSPC');
  const tcb = byOid(tcbTlv);
  const components: number[] = [];
  for (let i = 1; i <= 16; i++) {
    const c = tcb.get(`${TCB}.${i}`);
    if (!c) throw new Error(`the PCK certificate lacks TCB component ${i}`);
    components.push(smallUnsigned(c));
  }
  const pcesvn = tcb.get(`${TCB}.17`);
  const cpusvn = tcb.get(`${TCB}.18`);
  if (!pcesvn || !cpusvn) throw new Error('the PCK certificate lacks its PCESVN or CPUSVN');
  return {
    components,
    pcesvn: smallUnsigned(pcesvn),
    cpusvn: expectTag(cpusvn, 0x04, 'CPUSVN').content,
    pceId: hexUpper(pceId, 'PCE-ID', 2),
    fmspc: hexUpper(fmspc, 'FMSPC', 6),
  };
}
