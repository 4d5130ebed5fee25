import { test } from 'node:test';
import assert from 'node:assert/strict';
import { crc32, deflateRawSync, gunzipSync, gzipSync } from 'node:zlib';
import { gunzip } from '../../src/journal/import/gunzip.js';

/** What gunzip yields of `bytes` fed `chunkSize` at a time, and the message it fails with. */
async function read(bytes: Buffer, chunkSize: number): Promise<{ text: string; error?: string }> {
  async function* source() {
    for (let i = 0; i < bytes.length; i += chunkSize) yield bytes.subarray(i, i + chunkSize);
  }
  const out: Buffer[] = [];
  try {
    for await (const chunk of gunzip(source())) out.push(Buffer.from(chunk));
    return { text: Buffer.concat(out).toString() };
  } catch (err) {
    return { text: Buffer.concat(out).toString(), error: (err as Error).message };
  }
}

const lines = (tag: string, n: number) => Array.from({ length: n }, (_, i) => `{"${tag}":${i}}\n`).join('');

/** A member written field by field: every optional header field, each flag as RFC 1952 has it. */
function member(text: string, fields: { extra?: Buffer; name?: string; comment?: string; headerCrc?: 'right' | 'wrong' }): Buffer {
  const flags = (fields.headerCrc ? 0x02 : 0) | (fields.extra ? 0x04 : 0) | (fields.name !== undefined ? 0x08 : 0) | (fields.comment !== undefined ? 0x10 : 0);
  const parts: Buffer[] = [Buffer.from([0x1f, 0x8b, 8, flags, 0, 0, 0, 0, 0, 3])];
  if (fields.extra) parts.push(Buffer.from([fields.extra.length & 0xff, fields.extra.length >> 8]), fields.extra);
  for (const s of [fields.name, fields.comment]) if (s !== undefined) parts.push(Buffer.from(`${s}\0`));
  let header: Buffer = Buffer.concat(parts);
  if (fields.headerCrc) header = Buffer.concat([header, Buffer.from([(crc32(header) & 0xff) ^ (fields.headerCrc === 'wrong' ? 1 : 0), (crc32(header) >> 8) & 0xff])]);
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc32(text), 0);
  trailer.writeUInt32LE(Buffer.byteLength(text), 4);
  return Buffer.concat([header, deflateRawSync(text), trailer]);
}

test('members are read one after another, whatever their header fields and however the input is cut into chunks', async () => {
  const a = lines('a', 3000), b = lines('b', 500);
  const cases: [string, Buffer, string][] = [
    ['one member', gzipSync(a), a],
    ['two members and an empty one', Buffer.concat([gzipSync(a), gzipSync(''), gzipSync(b)]), a + b],
    ['extra field, name, comment, header CRC', Buffer.concat([member(a, { extra: Buffer.alloc(300, 7), name: 'n'.repeat(5000), comment: 'c', headerCrc: 'right' }), member(b, { name: '' })]), a + b],
    ['zero padding after the last member', Buffer.concat([gzipSync(a), Buffer.alloc(5000)]), a],
  ];
  for (const [name, bytes, text] of cases) {
    assert.equal(gunzipSync(bytes).toString(), text, `zlib: ${name}`);
    for (const size of [1, 7, 65_536, 1 << 20]) assert.deepEqual(await read(bytes, size), { text }, `${name}, chunks of ${size}`);
  }
});

test('data after a member: every byte of the members before it, then the data named by its offset', async () => {
  const a = lines('a', 3000);
  const first = gzipSync(a);
  const cases: [string, Buffer, number][] = [
    ['text right after the member', Buffer.concat([first, Buffer.from('garbage')]), first.length],
    ['a member after zero padding', Buffer.concat([first, Buffer.alloc(10), gzipSync('x\n')]), first.length + 10],
    ['half a gzip magic', Buffer.concat([first, Buffer.from([0x1f, 0x00])]), first.length],
  ];
  for (const [name, bytes, at] of cases) {
    for (const size of [1, 3, 1 << 20]) {
      assert.deepEqual(await read(bytes, size), { text: a, error: `data after the end of the gzip stream, at byte ${at}, was not read` }, `${name}, chunks of ${size}`);
    }
  }
});

test('a member cut anywhere, or failing a check, fails as zlib does, after what came before it is yielded', async () => {
  const first = gzipSync(lines('a', 20));
  const bytes = Buffer.concat([first, member(lines('b', 10), { name: 'b.log', headerCrc: 'right' })]);
  const whole = gunzipSync(bytes).toString();
  for (let cut = 1; cut < bytes.length; cut++) {
    const { text, error } = await read(bytes.subarray(0, cut), 5);
    assert.ok(whole.startsWith(text), `cut at ${cut}`);
    // Cut between the members, the file is whole; anywhere else, a member is cut short.
    assert.equal(error, cut === first.length ? undefined : 'unexpected end of file', `cut at ${cut}`);
  }
  const wrong = (at: number) => {
    const copy = Buffer.from(first);
    copy[at] ^= 1;
    return copy;
  };
  assert.deepEqual(await read(wrong(first.length - 8), 1000), { text: lines('a', 20), error: 'incorrect data check' });
  assert.deepEqual(await read(wrong(first.length - 4), 1000), { text: lines('a', 20), error: 'incorrect length check' });
  assert.equal((await read(member('x', { headerCrc: 'wrong' }), 1000)).error, 'header crc mismatch');
  assert.equal((await read(Buffer.from([0x1f, 0x8b, 9, 0, 0, 0, 0, 0, 0, 3]), 1000)).error, 'unknown compression method');
});
