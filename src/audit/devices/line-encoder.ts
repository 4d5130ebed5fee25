/**
 * Encodes a batch of lines into one reused buffer: one UTF-8 copy per line and no joined string,
 * so a batch costs one write(2) and no garbage. The returned view is valid until the next
 * `encode` — sinks write one batch at a time (line-queue.ts) and reuse the buffer only after the
 * previous write finished.
 */

/** A buffer grown past this by a large batch is dropped after it, not kept for the next. */
const MAX_KEPT_BYTES = 1 << 20;
const INITIAL_BYTES = 16_384;

export interface LineEncoder {
  /** The batch's bytes: a view of the shared buffer, valid until the next call. */
  encode(lines: readonly string[]): Buffer;
}

export function createLineEncoder(): LineEncoder {
  let scratch = Buffer.allocUnsafeSlow(0);
  return {
    encode(lines) {
      if (scratch.length > MAX_KEPT_BYTES) scratch = Buffer.allocUnsafeSlow(0);
      let used = 0;
      for (const line of lines) {
        // A UTF-16 code unit never takes more than 3 bytes in UTF-8.
        const room = used + line.length * 3;
        if (room > scratch.length) {
          const grown = Buffer.allocUnsafeSlow(Math.max(room, scratch.length * 2, INITIAL_BYTES));
          scratch.copy(grown, 0, 0, used);
          scratch = grown;
        }
        used += scratch.write(line, used);
      }
      return scratch.subarray(0, used);
    },
  };
}
