import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as der from '../../src/lib/der.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

test('DER encodings match X.690 golden bytes', () => {
  const cases: Array<[string, Uint8Array, string]> = [
    ['ecdsa-with-SHA384 OID', der.oid('1.2.840.10045.4.3.3'), '06082a8648ce3d040303'],
    ['commonName OID', der.oid('2.5.4.3'), '0603550403'],
    ['INTEGER 2', der.smallInteger(2), '020102'],
    ['INTEGER with the high bit set gets a 0x00', der.unsignedInteger(Uint8Array.of(0x80, 0x01)), '0203008001'],
    ['INTEGER leading zeros trimmed', der.unsignedInteger(Uint8Array.of(0, 0, 0x7f)), '02017f'],
    ['BOOLEAN true', der.boolean(true), '0101ff'],
    ['UTCTime', der.time(Date.UTC(2019, 9, 28, 13, 28, 5)), '170d3139313032383133323830355a'],
    ['GeneralizedTime from 2050', der.time(Date.UTC(2050, 0, 1)), '180f32303530303130313030303030305a'],
    ['empty SEQUENCE', der.sequence(), '3000'],
    ['long form length', der.octetString(new Uint8Array(200)).subarray(0, 3), '0481c8'],
    ['[3] EXPLICIT', der.explicit(3, der.sequence()), 'a3023000'],
  ];
  for (const [name, got, want] of cases) assert.equal(hex(got), want, name);
});
