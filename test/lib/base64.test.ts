import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { decodeStrictBase64, decodeWrappedBase64 } from '../../src/lib/base64.js';

const STRICT = /^[A-Za-z0-9+/]*={0,2}$/;
const strict = (s: string) => s.length % 4 === 0 && STRICT.test(s);

test('strict base64 accepts exactly what the anchored pattern accepts, and decodes it', () => {
  const cases = ['', 'QQ==', 'QUI=', 'QUJD', 'QUJDRA==', 'QU!D', 'QUéD', 'QQ==QUJD', 'QUJDQQ=A', 'Q=JD', 'QUJ\u0000', 'QUJDA===', '====',
    'QUJŁ', 'QU-_', 'QUJ', 'QUJDR', ' QUJ', 'QU\nJ', 'QUJ\u0141', '\u0141UJD', 'QUJ\u00ff', '//++', 'A===', 'AA=A', 'QR==', 'QUK='];
  // Valid texts with one character replaced by every other character below U+0200.
  const valid = randomBytes(30).toString('base64');
  for (let c = 0; c < 0x200; c++) cases.push(valid.slice(0, 7) + String.fromCharCode(c) + valid.slice(8));
  for (let i = 0; i < 200; i++) cases.push(randomBytes(i % 40).toString('base64'));
  for (const s of cases) {
    const bytes = decodeStrictBase64(s);
    assert.equal(bytes !== undefined, strict(s), JSON.stringify(s));
    if (bytes) assert.deepEqual(bytes, Buffer.from(s, 'base64'));
  }
});

test('pasted base64 decodes strictly after ASCII whitespace is dropped, wrapped or not; other spaces are refused', () => {
  const valid = randomBytes(61).toString('base64');
  const cases = [valid, valid.replace(/(.{8})/g, '$1\n'), ` ${valid}\r\n`, `${valid.slice(0, 5)}\t${valid.slice(5)}`, '\n', '', ' QU JD ', 'QU J', 'QU!D ', 'Q\u00a0UJD',
    `${valid.slice(0, 4)} -${valid.slice(5)}`];
  for (const s of cases) {
    const expected = decodeStrictBase64(s.replace(/[ \t\r\n\v\f]+/g, ''));
    assert.deepEqual(decodeWrappedBase64(s), expected, JSON.stringify(s));
  }
  assert.deepEqual(decodeWrappedBase64(valid.replace(/(.{8})/g, '$1\n')), Buffer.from(valid, 'base64'));
  assert.equal(decodeWrappedBase64('QU!D '), undefined);
  assert.equal(decodeWrappedBase64('Q\u00a0UJD'), undefined);
  assert.deepEqual(decodeWrappedBase64('Q\vU\fJ\tD'), Buffer.from('ABC'));
});
