import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { KeyedHmac } from '../../src/lib/keyed-hmac.js';

test('gives createHmac\'s bytes for every key and message length, with and without a prefix', () => {
  const messages = ['', 'a', 'naïve café 😀', 'x'.repeat(1024), 'é'.repeat(512), 'é'.repeat(513), 'y'.repeat(5000)];
  for (const keyBytes of [0, 1, 32, 64, 65, 200]) {
    const key = randomBytes(keyBytes);
    const mac = new KeyedHmac(key);
    for (const m of messages) {
      assert.equal(mac.hex(m), createHmac('sha256', key).update(m, 'utf8').digest('hex'), `key ${keyBytes} bytes, message ${m.length} chars`);
    }
    // The same messages again, in another order: nothing of one message stays for the next.
    for (const m of [...messages].reverse()) assert.equal(mac.hex(m), createHmac('sha256', key).update(m, 'utf8').digest('hex'));
    // With a fixed prefix, the HMAC of prefix + message, at and around the in-place room's edges.
    for (const prefix of ['explicit\0', 'é', 'p'.repeat(100)]) {
      const prefixed = new KeyedHmac(key, prefix);
      for (const m of [...messages, 'z'.repeat(341), 'z'.repeat(342), 'é'.repeat(341), '😀'.repeat(256), '😀'.repeat(257)]) {
        assert.equal(prefixed.hex(m), createHmac('sha256', key).update(prefix + m, 'utf8').digest('hex'), `prefix ${prefix.length} chars, message ${m.length} chars`);
      }
    }
  }
});

test('a message written into the key\'s buffer is wiped once hashed: no secret stays behind', () => {
  const key = randomBytes(32);
  const mac = new KeyedHmac(key, 'p:');
  const secret = 'hvs.a-token-that-must-not-linger';
  assert.equal(mac.hex(secret), createHmac('sha256', key).update(`p:${secret}`).digest('hex'));
  const buffers = Object.values(mac as unknown as Record<string, unknown>).filter((v): v is Buffer => Buffer.isBuffer(v));
  assert.ok(buffers.length > 0);
  for (const b of buffers) assert.equal(b.includes(secret), false);
  // The buffer is reused: the next message hashes right.
  assert.equal(mac.hex('next'), createHmac('sha256', key).update('p:next').digest('hex'));
});

test('messages of one length share a view of the key buffer, yet each gets its own HMAC', () => {
  const key = randomBytes(32);
  const mac = new KeyedHmac(key, 'p:');
  // Same byte length, different bytes; then around the longest length that keeps a view.
  for (const m of ['aaaa', 'bbbb', 'aaaa', 'é'.repeat(2), 'ab'.repeat(2), 'q'.repeat(256), 'r'.repeat(256), 's'.repeat(257), 't'.repeat(257), 'q'.repeat(256)]) {
    assert.equal(mac.hex(m), createHmac('sha256', key).update(`p:${m}`).digest('hex'), `${m.length} chars of ${m[0]}`);
  }
});
