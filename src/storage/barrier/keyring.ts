/**
 * The keyring: barrier keys by term. New values are written under the active (highest) term; values
 * written under older terms stay readable. Imported key objects are cached per term so each request
 * only pays for the cipher, not the key import.
 *
 * Serialized form (encrypted under the root key before it is stored):
 *   [version: 1 byte = 1][active term: uint32][count: uint32] then per key
 *   [term: uint32][install time ms: float64][key: 32 bytes]      — all big-endian
 */
import type { KeyObject } from 'node:crypto';
import { importKey, KEY_BYTES } from './aead.js';

const KEYRING_VERSION = 1;
const ENTRY_BYTES = 4 + 8 + KEY_BYTES;

export interface KeyringEntry {
  term: number;
  installTimeMs: number;
  /** Raw key bytes, kept so the keyring can be re-serialized on rotate and wiped on seal. */
  raw: Uint8Array;
  key: KeyObject;
}

export class Keyring {
  private readonly entries = new Map<number, KeyringEntry>();
  private active: KeyringEntry | undefined;

  /** The term new values are written under. */
  get activeTerm(): number {
    return this.active?.term ?? 0;
  }

  /** The entry new values are written under. */
  activeEntry(): KeyringEntry {
    if (this.active === undefined) throw new Error('keyring is empty');
    return this.active;
  }

  /** The key for `term`, if this keyring holds it. */
  keyFor(term: number): KeyObject | undefined {
    return this.entries.get(term)?.key;
  }

  /** Adds a key under a new term, which becomes active. Takes ownership of `raw`. */
  add(term: number, raw: Uint8Array, installTimeMs: number): void {
    if (!Number.isInteger(term) || term < 1 || term > 0xffffffff) throw new RangeError('keyring term out of range');
    if (this.entries.has(term)) throw new Error(`keyring already has term ${term}`);
    const entry: KeyringEntry = { term, installTimeMs, raw, key: importKey(raw) };
    this.entries.set(term, entry);
    if (this.active === undefined || term > this.active.term) this.active = entry;
  }

  serialize(): Uint8Array {
    const out = Buffer.alloc(9 + ENTRY_BYTES * this.entries.size);
    out[0] = KEYRING_VERSION;
    out.writeUInt32BE(this.activeTerm, 1);
    out.writeUInt32BE(this.entries.size, 5);
    let at = 9;
    for (const e of [...this.entries.values()].sort((a, b) => a.term - b.term)) {
      out.writeUInt32BE(e.term, at);
      out.writeDoubleBE(e.installTimeMs, at + 4);
      out.set(e.raw, at + 12);
      at += ENTRY_BYTES;
    }
    return out;
  }

  /** Parses a serialized keyring; the caller should wipe `bytes` afterwards (keys are copied). */
  static deserialize(bytes: Uint8Array): Keyring {
    const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (buf.length < 9 || buf[0] !== KEYRING_VERSION) throw new Error('unsupported keyring format');
    const activeTerm = buf.readUInt32BE(1);
    const count = buf.readUInt32BE(5);
    if (buf.length !== 9 + count * ENTRY_BYTES) throw new Error('keyring length does not match its key count');
    const ring = new Keyring();
    for (let i = 0, at = 9; i < count; i++, at += ENTRY_BYTES) {
      ring.add(buf.readUInt32BE(at), Uint8Array.from(buf.subarray(at + 12, at + ENTRY_BYTES)), buf.readDoubleBE(at + 4));
    }
    if (ring.activeTerm !== activeTerm) throw new Error('keyring active term is not its newest term');
    return ring;
  }

  /**
   * Zeroes the raw key bytes and forgets every key. (node:crypto keeps its own copy inside each
   * KeyObject, which becomes unreachable here and is freed by the garbage collector.)
   */
  wipe(): void {
    for (const e of this.entries.values()) e.raw.fill(0);
    this.entries.clear();
    this.active = undefined;
  }
}
