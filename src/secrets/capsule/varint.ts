/**
 * Unsigned LEB128 integers: seven bits a byte, low bits first, the high bit set on every byte but
 * the last. The capsule body's index of tagged fields is a stream of these (most values are small
 * offsets and ids, one byte each), read in place without building objects.
 */

/** Appends varints to a buffer that doubles as it fills. */
export class VarintWriter {
  private bytes = new Uint8Array(1024);
  private length = 0;

  write(n: number): void {
    if (this.length + 8 > this.bytes.length) {
      const grown = new Uint8Array(this.bytes.length * 2);
      grown.set(this.bytes.subarray(0, this.length));
      this.bytes = grown;
    }
    // Values are array indices and string offsets: non-negative and below 2^53, so division is exact.
    while (n >= 0x80) {
      this.bytes[this.length++] = (n % 0x80) | 0x80;
      n = Math.floor(n / 0x80);
    }
    this.bytes[this.length++] = n;
  }

  /** The bytes written so far (a view, valid until the next write). */
  view(): Uint8Array {
    return this.bytes.subarray(0, this.length);
  }
}

/** Reads varints from `bytes[start, end)`; a truncated or oversized value throws RangeError. */
export class VarintReader {
  constructor(private readonly bytes: Uint8Array, private at: number, private readonly end: number) {}

  get done(): boolean {
    return this.at >= this.end;
  }

  read(): number {
    // Most values fit in one byte.
    const at = this.at;
    if (at < this.end && this.bytes[at] < 0x80) {
      this.at = at + 1;
      return this.bytes[at];
    }
    return this.readLong();
  }

  private readLong(): number {
    let n = 0;
    let scale = 1;
    for (;;) {
      if (this.at >= this.end || scale > 2 ** 49) throw new RangeError('malformed varint');
      const b = this.bytes[this.at++];
      n += (b & 0x7f) * scale;
      if (b < 0x80) return n;
      scale *= 0x80;
    }
  }
}
