/**
 * Certificates carrying extensions the builders do not write (an unknown OID, a critical flag on a
 * vendor extension): the extension is appended to the certificate's own, and the certificate is
 * signed again with its issuer's key (ECDSA with SHA-384, the dev CA's profile).
 */
import { sign, type KeyObject } from 'node:crypto';
import * as der from '../../src/lib/der.js';
import { children, parseDer } from '../../src/lib/der-reader.js';

/** An Extension: SEQUENCE { extnID, critical (only when TRUE, as DER requires), extnValue }. */
export const extension = (oid: string, critical: boolean, value: Uint8Array) =>
  der.sequence(der.oid(oid), ...(critical ? [der.boolean(true)] : []), der.octetString(value));

/** `certificate` (DER, ECDSA-SHA384-signed, with extensions) with `extensions` added, re-signed by `issuerKey`. */
export function withExtensions(certificate: Uint8Array, extensions: Uint8Array[], issuerKey: KeyObject): Buffer {
  const [tbs, algorithm] = children(parseDer(certificate));
  const fields = children(tbs).map((field) =>
    field.tag === 0xa3 ? der.explicit(3, der.sequence(...children(children(field)[0]).map((e) => e.raw), ...extensions)) : field.raw);
  const signed = der.sequence(...fields);
  return der.sequence(signed, algorithm.raw, der.bitString(sign('sha384', signed, issuerKey)));
}
