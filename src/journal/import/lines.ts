/**
 * Splitting a byte stream into lines in constant memory: at most one line (up to the limit) is
 * buffered, a longer one is skipped to its end and reported. A line is its bytes without the
 * `\n` (and without a `\r` before it), kept only when it is valid UTF-8, so the text is byte for
 * byte what the file holds. The complete lines of a chunk are checked and decoded at once (one
 * call, not one per line) when they are all valid UTF-8; each line on its own otherwise.
 */
import { isAscii, isUtf8 } from 'node:buffer';

export type Line =
  | { line: number; text: string; terminated: boolean }
  | { line: number; problem: string };

const NL = 0x0a;
const CR = 0x0d;

const stripCr = (text: string) => (text.length > 0 && text.charCodeAt(text.length - 1) === CR ? text.slice(0, -1) : text);

/** A line's bytes (within the buffering bound) → its text, or why it is bad. */
function decode(line: number, bytes: Buffer, terminated: boolean, maxLineBytes: number, tooLong: string): Line {
  const length = bytes.length > 0 && bytes[bytes.length - 1] === CR ? bytes.length - 1 : bytes.length;
  if (length > maxLineBytes) return { line, problem: tooLong };
  if (!isUtf8(bytes)) return { line, problem: 'not valid UTF-8' };
  return { line, text: stripCr(bytes.toString('utf8')), terminated };
}

export async function* readLines(chunks: AsyncIterable<Buffer>, maxLineBytes: number): AsyncGenerator<Line[]> {
  const tooLong = `longer than ${maxLineBytes} bytes`;
  // What is buffered: a `\r` before the `\n` is not part of the line, but may be buffered.
  const limit = maxLineBytes + 1;
  let line = 0;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let oversized = false;
  for await (const chunk of chunks) {
    const out: Line[] = [];
    let start = 0;
    // The line that began in earlier chunks.
    const first = chunk.indexOf(NL);
    if ((pendingBytes > 0 || oversized) && first !== -1) {
      line++;
      if (oversized || pendingBytes + first > limit) out.push({ line, problem: tooLong });
      else out.push(decode(line, Buffer.concat([...pending, chunk.subarray(0, first)]), true, maxLineBytes, tooLong));
      pending = [];
      pendingBytes = 0;
      oversized = false;
      start = first + 1;
    }
    const last = oversized ? -1 : chunk.lastIndexOf(NL);
    if (last >= start) {
      const whole = chunk.subarray(start, last);
      // ASCII (most audit logs: Go escapes little, but ids, hashes and paths are ASCII) decodes
      // fastest as latin1, to the same text.
      if (isAscii(whole)) line = splitText(whole.toString('latin1'), line, maxLineBytes, tooLong, out);
      else if (isUtf8(whole)) line = splitText(whole.toString('utf8'), line, maxLineBytes, tooLong, out);
      else {
        for (let nl = chunk.indexOf(NL, start); nl !== -1 && nl <= last; nl = chunk.indexOf(NL, start)) {
          line++;
          out.push(decode(line, chunk.subarray(start, nl), true, maxLineBytes, tooLong));
          start = nl + 1;
        }
      }
      start = last + 1;
    }
    if (start < chunk.length && !oversized) {
      // The rest is copied: the stream may reuse its buffers.
      pendingBytes += chunk.length - start;
      if (pendingBytes > limit) {
        oversized = true;
        pending = [];
      } else pending.push(Buffer.from(chunk.subarray(start)));
    }
    if (out.length > 0) yield out;
  }
  if (oversized) yield [{ line: line + 1, problem: tooLong }];
  else if (pendingBytes > 0) yield [decode(line + 1, Buffer.concat(pending), false, maxLineBytes, tooLong)];
}

/**
 * The lines of valid UTF-8 text (the chunk's complete lines but the last `\n`). A line's byte
 * length is at least its character length, so only lines long in characters are measured.
 */
function splitText(text: string, line: number, maxLineBytes: number, tooLong: string, out: Line[]): number {
  let from = 0;
  for (;;) {
    const nl = text.indexOf('\n', from);
    const piece = stripCr(text.slice(from, nl === -1 ? text.length : nl));
    line++;
    if (piece.length * 3 > maxLineBytes && Buffer.byteLength(piece) > maxLineBytes) out.push({ line, problem: tooLong });
    else out.push({ line, text: piece, terminated: true });
    if (nl === -1) return line;
    from = nl + 1;
  }
}
