/**
 * The `crls` setting of the snp platform: CRLs signed by an AMD ARK, given as base64 DER or PEM
 * ("X509 CRL" blocks), stored as base64 DER. Each must parse; whether its signature and dates hold
 * is checked at every verification, against the time of that verification.
 */
import { MAX_CRLS, MAX_CRL_BYTES, parseCrl } from '../../attestation/index.js';
import { invalid } from '../../errors/index.js';

const PEM_CRL = /-----BEGIN X509 CRL-----([\s\S]+?)-----END X509 CRL-----/g;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

function crlDer(text: string, i: number): string {
  const body = text.replace(/\s+/g, '');
  if (!BASE64.test(body) || body.length % 4 !== 0) throw invalid(`"crls[${i}]" must be a base64 DER or PEM CRL`, 'invalid_field');
  const der = Buffer.from(body, 'base64');
  if (der.length > MAX_CRL_BYTES) throw invalid(`"crls[${i}]" is larger than ${MAX_CRL_BYTES} bytes`, 'invalid_field');
  try {
    parseCrl(der);
  } catch {
    throw invalid(`"crls[${i}]" is not an X.509 CRL`, 'invalid_field');
  }
  return der.toString('base64');
}

export function crlsField(value: unknown): string[] {
  const items = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(items) || !items.every((v): v is string => typeof v === 'string')) {
    throw invalid('"crls" must be a list of base64 DER or PEM CRLs', 'invalid_field');
  }
  const texts = items.flatMap((item) => {
    const pem = [...item.matchAll(PEM_CRL)].map((m) => m[1]);
    return pem.length > 0 ? pem : item.trim() === '' ? [] : [item];
  });
  if (texts.length > MAX_CRLS) throw invalid(`"crls" holds at most ${MAX_CRLS} CRLs`, 'invalid_field');
  return texts.map(crlDer);
}
