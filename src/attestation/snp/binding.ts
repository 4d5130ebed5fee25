/**
 * The report must be one the verified certificate was issued for: signed by the key type the
 * report names (VCEK or VLEK), on the product generation of the ARK the chain ends in, at the TCB
 * the key was derived for (REPORTED_TCB = the certificate's SPLs), and — for a VCEK — on the chip
 * of its hwID. A VCEK is derived from the chip secret and the TCB, so a mismatch means a report
 * presented with some other chip's or some other TCB's certificate.
 */
import type { SnpTcb, VerifyFailureCode } from '../types.js';
import type { SnpChain } from './chain.js';
import { commonName, readEndorsementKey, type EndorsementKey } from './endorsement-key.js';
import { cpuidFamilyFits, decodeTcb, hwIdLength, productOfName, type SnpProduct } from './product.js';
import type { SnpReport } from './report.js';

export type BindingResult =
  | { ok: true; product: SnpProduct; tcb: SnpTcb }
  | { ok: false; code: VerifyFailureCode; message: string };

const mismatch = (message: string): BindingResult => ({ ok: false, code: 'tcb_mismatch', message });

function readKey(chain: SnpChain): EndorsementKey | string {
  try {
    return readEndorsementKey(chain.leaf);
  } catch (err) {
    return err instanceof Error ? err.message : 'the signing certificate extensions are unreadable';
  }
}

export function checkBinding(report: SnpReport, chain: SnpChain): BindingResult {
  const key = readKey(chain);
  if (typeof key === 'string') return { ok: false, code: 'malformed', message: key };
  if (key.kind !== report.signingKey) return mismatch(`the report names a ${report.signingKey.toUpperCase()} but the certificate is a ${key.kind.toUpperCase()}`);

  const product = productOfName(commonName(chain.root) ?? '', 'ARK-');
  if (!product) return mismatch('the trusted root is not the ARK of a supported product (Milan, Genoa, Turin)');
  if (productOfName(key.productName) !== product) return mismatch(`the signing certificate's product is not ${product}, the product of its ARK`);
  // VCEKs come from the ASK ("SEV-Milan"), VLEKs from the ASVK ("SEV-VLEK-Milan"): AMD keeps the two apart.
  const issuerPrefix = key.kind === 'vcek' ? 'SEV-' : 'SEV-VLEK-';
  if (productOfName(commonName(chain.intermediate) ?? '', issuerPrefix) !== product) {
    return mismatch(`the ${key.kind.toUpperCase()} is not issued by the ${key.kind === 'vcek' ? 'ASK' : 'ASVK'} of ${product}`);
  }
  if (!cpuidFamilyFits(product, report.cpuidFamily)) return mismatch(`the report's CPUID family is not that of ${product}`);

  const tcb = decodeTcb(report.reportedTcb, product);
  for (const component of Object.keys(tcb) as Array<keyof SnpTcb>) {
    const spl = key.spl[component];
    if (spl === undefined) return { ok: false, code: 'malformed', message: `the signing certificate states no ${component} SPL` };
    if (spl !== tcb[component]) return mismatch(`the reported TCB ${component} SPL is not the one the signing certificate was issued for`);
  }

  // A masked CHIP_ID reads as zeros and is not compared; the VCEK's key still ties the signature to the chip.
  if (key.kind === 'vcek' && !report.maskChipId) {
    const length = hwIdLength(product);
    if (key.hwId?.length !== length) return { ok: false, code: 'malformed', message: `the VCEK's hwID is not ${length} bytes` };
    if (!Buffer.from(report.chipId.subarray(0, length)).equals(key.hwId)) return mismatch("the report's CHIP_ID is not the VCEK's hwID");
  }
  return { ok: true, product, tcb };
}
