/**
 * keyUsage extension values (extnValue contents) for issuer-rule tests. Bit 0 digitalSignature is
 * 0x80 of the first byte, bit 5 keyCertSign 0x04, bit 6 cRLSign 0x02, bit 8 decipherOnly 0x80 of
 * the second.
 */
import * as der from '../../src/lib/der.js';

const raw = (...bytes: number[]) => Uint8Array.from(bytes);

/** Encodings that carry keyCertSign. */
export const WITH_KEY_CERT_SIGN = {
  'keyCertSign and cRLSign': der.bitString(raw(0x06), 1),
  'keyCertSign, written with one unused bit where two would do (as AMD\'s ASK does)': raw(0x03, 0x02, 0x01, 0x04),
  'keyCertSign and decipherOnly (two bytes)': der.bitString(raw(0x04, 0x80), 7),
};

/** Well-formed encodings without keyCertSign. */
export const WITHOUT_KEY_CERT_SIGN = {
  'digitalSignature': der.bitString(raw(0x80), 7),
  'cRLSign': der.bitString(raw(0x02), 1),
  'digitalSignature and decipherOnly (two bytes)': der.bitString(raw(0x80, 0x80), 7),
  'no bits': der.bitString(raw(), 0),
};

/** Values that are not one DER keyUsage BIT STRING. */
export const MALFORMED = {
  'keyCertSign and a byte after the BIT STRING': raw(0x03, 0x02, 0x01, 0x06, 0x00),
  'keyCertSign with a padding bit set': raw(0x03, 0x02, 0x01, 0x07),
  'keyCertSign in three bytes': raw(0x03, 0x04, 0x00, 0x06, 0x00, 0x00),
  'an unused-bits count of 8': raw(0x03, 0x02, 0x08, 0x04),
  'unused bits without bytes': raw(0x03, 0x01, 0x01),
  'an OCTET STRING': der.octetString(raw(0x06)),
  'a truncated BIT STRING': raw(0x03, 0x03, 0x01, 0x06),
};
