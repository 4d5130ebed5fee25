import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as der from '../../src/lib/der.js';
import {
  bitStringBytes, children, DerError, expectTag, integerHex, oidText, parseDer, readTlv, smallUnsigned, timeMs, unsignedBigInt,
} from '../../src/lib/der-reader.js';

const bytes = (hex: string) => Buffer.from(hex.replace(/\s/g, ''), 'hex');
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

test('readTlv reads short and long lengths, returning views and the next offset', () => {
  const { tlv, next } = readTlv(bytes('0403aabbcc ff'), 0);
  assert.deepEqual([tlv.tag, hex(tlv.content), hex(tlv.raw), next], [0x04, 'aabbcc', '0403aabbcc', 5]);
  const long = der.octetString(new Uint8Array(300).fill(7));
  const parsed = parseDer(long);
  assert.equal(parsed.content.length, 300);
  assert.equal(hex(long.subarray(0, 4)), '0482012c');
  assert.equal(parsed.content.buffer, long.buffer, 'content is a view, not a copy');
});

test('truncated, indefinite, over-long and multi-byte-tag encodings throw DerError', () => {
  for (const input of ['30', '', '3005010203', '3080', '3085' + '0000000001', '1f0100', '3082', '308201']) {
    assert.throws(() => readTlv(bytes(input), 0), DerError, input);
  }
  assert.throws(() => parseDer(bytes('0500 00')), /trailing bytes/);
});

test('children walks a constructed value and refuses primitives and excessive depth', () => {
  const seq = parseDer(der.sequence(der.smallInteger(1), der.sequence(der.boolean(true)), der.nullValue()));
  assert.deepEqual(children(seq).map((c) => c.tag), [0x02, 0x30, 0x05]);
  assert.deepEqual(children(children(seq)[1]).map((c) => hex(c.raw)), ['0101ff']);
  assert.throws(() => children(parseDer(der.smallInteger(1))), /constructed/);
  assert.throws(() => children(seq, 33), /too deep/);
  assert.throws(() => children(parseDer(bytes('3003 020201'))), DerError); // a child running past its parent
  assert.throws(() => expectTag(seq, 0x31, 'SET'), /SET: expected tag 0x31, found 0x30/);
});

test('oidText decodes what der.oid encodes, including large and first-arc-2 OIDs', () => {
  for (const dotted of ['1.2.840.113549.1.1.10', '1.3.6.1.4.1.3704.1.3.8', '2.5.29.19', '2.999.3', '0.9.2342.19200300.100.1.1']) {
    assert.equal(oidText(parseDer(der.oid(dotted))), dotted);
  }
  assert.equal(hex(der.oid('2.999.3')), '0603883703'); // X.690 §8.19.5's example: 2.999 is one two-byte subidentifier
  assert.equal(oidText(parseDer(bytes('0603883703'))), '2.999.3');
  assert.throws(() => oidText(parseDer(bytes('0600'))), /empty/);
  assert.throws(() => oidText(parseDer(bytes('06022a86'))), /truncated/);
  assert.throws(() => oidText(parseDer(bytes('060a2a' + 'ff'.repeat(8) + '7f'))), /too large/);
  assert.throws(() => oidText(parseDer(der.smallInteger(1))), /OBJECT IDENTIFIER/);
});

test('INTEGER readers: unsigned values, no negatives, canonical hex without the sign byte', () => {
  assert.equal(unsignedBigInt(parseDer(bytes('020200ff'))), 255n);
  assert.equal(unsignedBigInt(parseDer(der.unsignedInteger(bytes('0102030405060708090a')))), 0x0102030405060708090an);
  assert.throws(() => unsignedBigInt(parseDer(bytes('0201ff'))), /negative/);
  assert.throws(() => unsignedBigInt(parseDer(bytes('0200'))), /empty/);
  assert.equal(smallUnsigned(parseDer(bytes('020200d9'))), 217);
  assert.throws(() => smallUnsigned(parseDer(der.unsignedInteger(bytes('ffffffffffffffff')))), /too large/);
  assert.equal(integerHex(parseDer(bytes('0203010001'))), '010001');
  assert.equal(integerHex(parseDer(bytes('02020080'))), '80');
  assert.equal(integerHex(parseDer(bytes('020100'))), '00');
});

test('bitStringBytes drops the unused-bits byte and refuses partial bytes', () => {
  assert.equal(hex(bitStringBytes(parseDer(der.bitString(bytes('cafe'))))), 'cafe');
  assert.throws(() => bitStringBytes(parseDer(der.bitString(bytes('80'), 7))), /unused bits/);
  assert.throws(() => bitStringBytes(parseDer(bytes('0300'))), /unused bits/);
});

test('timeMs reads UTCTime (1950..2049) and GeneralizedTime, seconds and Z only', () => {
  assert.equal(timeMs(parseDer(der.time(Date.UTC(2029, 8, 24, 0, 55, 28)))), Date.UTC(2029, 8, 24, 0, 55, 28));
  assert.equal(timeMs(parseDer(der.time(Date.UTC(2050, 0, 1)))), Date.UTC(2050, 0, 1));
  assert.equal(timeMs(parseDer(der.tlv(0x17, Buffer.from('500101000000Z')))), Date.UTC(1950, 0, 1));
  assert.equal(timeMs(parseDer(der.tlv(0x17, Buffer.from('491231235959Z')))), Date.UTC(2049, 11, 31, 23, 59, 59));
  for (const bad of [der.tlv(0x17, Buffer.from('2501010000Z')), der.tlv(0x18, Buffer.from('20250101000000.5Z')), der.tlv(0x18, Buffer.from('20250101000000+0100')), der.tlv(0x04, Buffer.from('250101000000Z'))]) {
    assert.throws(() => timeMs(parseDer(bad)), /unsupported time/);
  }
});
