/**
 * HMAC-SHA256 for hot paths that hash many short values under one key: audit salts (every
 * string of every entry), token ids, capsule tokens.
 */
import { hash } from 'node:crypto';

const SHA256_BLOCK_BYTES = 64;
const SHA256_BYTES = 32;
/** Messages up to this many bytes reuse a kept view of the key buffer (KeyedHmac.views). */
const VIEWED_BYTES = 256;

/**
 * HMAC-SHA256 under one key for many messages, each after a fixed `prefix` (RFC 2104:
 * H(K ⊕ opad ‖ H(K ⊕ ipad ‖ prefix ‖ m))), as hex: the same as
 * createHmac('sha256', key).update(prefix + m).digest('hex'). The padded key blocks and the
 * prefix are written once and each message costs two one-shot hashes with string results (a
 * Buffer result costs more than the hashing; the inner one is 'binary', one character a byte,
 * copied straight back): about half a createHmac. An object rather than a closure, so code
 * optimized around `hex` for one key stays valid for the next.
 */
export class KeyedHmac {
  private readonly inner: Buffer;
  private readonly innerHead: Buffer;
  private readonly outer: Buffer;
  private readonly start: number;
  private readonly room: number;
  /**
   * Views of `inner` from its start, by end offset, for messages up to VIEWED_BYTES: making a
   * view costs about as much as writing a short message, and the same few lengths recur.
   */
  private readonly views: Buffer[] = [];

  constructor(key: Uint8Array, prefix = '') {
    // RFC 2104: a key longer than the block is hashed first.
    const k = key.length > SHA256_BLOCK_BYTES ? hash('sha256', key, 'buffer') : key;
    const prefixBytes = Buffer.from(prefix, 'utf8');
    this.start = SHA256_BLOCK_BYTES + prefixBytes.length;
    this.inner = Buffer.alloc(this.start + 1024, 0x36);
    this.outer = Buffer.alloc(SHA256_BLOCK_BYTES + SHA256_BYTES, 0x5c);
    for (let i = 0; i < k.length; i++) {
      this.inner[i] ^= k[i];
      this.outer[i] ^= k[i];
    }
    prefixBytes.copy(this.inner, SHA256_BLOCK_BYTES);
    this.innerHead = this.inner.subarray(0, this.start);
    this.room = this.inner.length - this.start;
  }

  /** HMAC-SHA256(key, prefix ‖ message) as hex. */
  hex(message: string): string {
    const { inner, start, room, outer } = this;
    // Short messages (most values) are written after the prefix in place, and wiped after (a
    // message may be a secret: none stays in the key's buffer); longer ones are joined.
    if (message.length <= room / 3 || Buffer.byteLength(message, 'utf8') <= room) {
      const written = inner.write(message, start, 'utf8');
      const end = start + written;
      const view = written <= VIEWED_BYTES ? (this.views[written] ??= inner.subarray(0, end)) : inner.subarray(0, end);
      outer.write(hash('sha256', view, 'binary'), SHA256_BLOCK_BYTES, 'binary');
      inner.fill(0, start, end);
    } else {
      outer.write(hash('sha256', Buffer.concat([this.innerHead, Buffer.from(message, 'utf8')]), 'binary'), SHA256_BLOCK_BYTES, 'binary');
    }
    return hash('sha256', outer, 'hex');
  }
}
