/**
 * RELP framing (rsyslog's librelp): `TXNR SP COMMAND SP DATALEN [SP DATA] LF`, TXNR and DATALEN
 * 1 to 9 digits, COMMAND 1 to 32 letters; DATA (and its space) only when DATALEN > 0. TXNR 0 is
 * for hints the server sends (`serverclose`); a session's commands are numbered from 1, and after
 * 999999999 the next number is 1 again.
 *
 * The decoder reads what a receiver sends back. The receiver is not trusted: anything that is not
 * a well-formed frame, or announces more data than `maxDataBytes`, is a protocol error, and at
 * most one header plus `maxDataBytes` is ever buffered.
 */

export const MAX_TXNR = 999_999_999;
const MAX_DIGITS = 9;
const MAX_COMMAND = 32;
const SP = 0x20;
const LF = 0x0a;

export interface Frame {
  txnr: number;
  command: string;
  data: Buffer;
}

/** A receiver sent something that is not RELP: the session cannot be trusted any more. */
export class RelpProtocolError extends Error {}

export function nextTxnr(txnr: number): number {
  return txnr >= MAX_TXNR ? 1 : txnr + 1;
}

export function encodeFrame(txnr: number, command: string, data: Buffer = Buffer.alloc(0)): Buffer {
  if (!Number.isInteger(txnr) || txnr < 0 || txnr > MAX_TXNR) throw new RangeError(`RELP txnr out of range: ${txnr}`);
  if (!/^[A-Za-z]{1,32}$/.test(command)) throw new RangeError('RELP command must be 1 to 32 letters');
  if (data.length > MAX_TXNR) throw new RangeError('RELP data too long');
  const head = data.length > 0 ? `${txnr} ${command} ${data.length} ` : `${txnr} ${command} 0`;
  const frame = Buffer.allocUnsafe(Buffer.byteLength(head) + data.length + 1);
  const at = frame.write(head, 'latin1');
  data.copy(frame, at);
  frame[frame.length - 1] = LF;
  return frame;
}

const isDigit = (c: number) => c >= 0x30 && c <= 0x39;
const isAlpha = (c: number) => (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);

interface Header {
  txnr: number;
  command: string;
  dataLen: number;
  /** Bytes of the header including the space before DATA (or up to the LF when there is none). */
  length: number;
}

/** Parses a header at the start of `buf`; undefined while incomplete; throws when malformed. */
function parseHeader(buf: Buffer): Header | undefined {
  let i = 0;
  const number = (field: string): number | undefined => {
    let n = 0;
    const start = i;
    for (; i < buf.length && isDigit(buf[i]); i++) {
      if (i - start === MAX_DIGITS) throw new RelpProtocolError(`RELP ${field} has more than ${MAX_DIGITS} digits`);
      n = n * 10 + buf[i] - 0x30;
    }
    if (i === buf.length) return undefined;
    if (i === start) throw new RelpProtocolError(`RELP ${field} is not a number`);
    return n;
  };
  const txnr = number('txnr');
  if (txnr === undefined) return undefined;
  if (buf[i++] !== SP) throw new RelpProtocolError('RELP frame: expected a space after the txnr');
  const commandStart = i;
  for (; i < buf.length && isAlpha(buf[i]); i++) {
    if (i - commandStart === MAX_COMMAND) throw new RelpProtocolError('RELP command is longer than 32 letters');
  }
  if (i === buf.length) return undefined;
  if (i === commandStart || buf[i] !== SP) throw new RelpProtocolError('RELP frame: malformed command');
  const command = buf.toString('latin1', commandStart, i++);
  const dataLen = number('datalen');
  if (dataLen === undefined) return undefined;
  if (dataLen === 0) {
    if (buf[i] !== LF) throw new RelpProtocolError('RELP frame: expected the trailer after DATALEN 0');
    return { txnr, command, dataLen, length: i };
  }
  if (buf[i] !== SP) throw new RelpProtocolError('RELP frame: expected a space before DATA');
  return { txnr, command, dataLen, length: i + 1 };
}

export interface FrameDecoder {
  /** Frames completed by this chunk, in order; throws RelpProtocolError on anything malformed. */
  push(chunk: Buffer): Frame[];
  /** Bytes held for an incomplete frame. */
  readonly buffered: number;
}

export function createFrameDecoder(maxDataBytes: number): FrameDecoder {
  let held: Buffer = Buffer.alloc(0);
  let header: Header | undefined;
  return {
    get buffered() { return held.length; },
    push(chunk) {
      held = held.length === 0 ? chunk : Buffer.concat([held, chunk]);
      const frames: Frame[] = [];
      for (;;) {
        header ??= parseHeader(held);
        if (!header) return frames;
        if (header.dataLen > maxDataBytes) {
          throw new RelpProtocolError(`RELP frame announces ${header.dataLen} bytes of data, over the ${maxDataBytes} accepted`);
        }
        const end = header.length + header.dataLen;
        if (held.length <= end) return frames;
        if (held[end] !== LF) throw new RelpProtocolError('RELP frame: missing LF trailer');
        // A copy: the frame outlives the chunk, and `held` must not pin a large chunk.
        frames.push({ txnr: header.txnr, command: header.command, data: Buffer.from(held.subarray(header.length, end)) });
        held = held.subarray(end + 1);
        header = undefined;
      }
    },
  };
}
