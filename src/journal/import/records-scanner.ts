/**
 * Finds each element of the top-level `Records` array of a CloudTrail log file in a byte stream,
 * and yields its exact bytes: the record as the file has it (key order, number spelling, spacing),
 * never re-serialised. Only strings, escapes and nesting are tracked, in constant memory (one
 * record, up to the limit). Elements are numbered from 1 in file order.
 */
export type ScannedElement =
  | { index: number; bytes: Buffer }
  | { index: number; problem: string };

/** Thrown at the end of a file that is not a whole `{"Records":[...]}` document. */
export class RecordsFileError extends Error {}

const QUOTE = 0x22, BACKSLASH = 0x5c, COLON = 0x3a, COMMA = 0x2c;
const OPEN_OBJECT = 0x7b, CLOSE_OBJECT = 0x7d, OPEN_ARRAY = 0x5b, CLOSE_ARRAY = 0x5d;
const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/** "Records" is the only key looked for: longer top-level keys need not be kept whole. */
const RECORDS_KEY = 'Records';
const KEY_CAPTURE = RECORDS_KEY.length + 1;

export async function* scanRecords(chunks: AsyncIterable<Buffer>, maxRecordBytes: number): AsyncGenerator<ScannedElement[]> {
  let depth = 0;
  let inString = false;
  let escape = false;
  let started = false;
  let key = '';
  let lastKey: string | undefined;
  let currentKey: string | undefined;
  let inRecords = false;
  let recordsSeen = false;
  // A top-level key written with escapes could spell "Records" as JSON.parse reads it.
  let keyEscaped = false;
  // Why the file stops being read, raised once this chunk's records are yielded.
  let fault: string | undefined;
  // The element being read: its parts so far, its size, whether it is an object.
  let index = 0;
  let inElement = false;
  let elementIsObject = false;
  // What came last in `Records` (which opens once), which says whether an element or a comma may come next.
  let last = 'open' as 'open' | 'comma' | 'element';
  // JSON.parse refuses the whole file for a missing comma; here only the element after it is bad.
  let missingComma = false;
  let parts: Buffer[] = [];
  let size = 0;

  const finish = (out: ScannedElement[]): void => {
    if (missingComma) out.push({ index, problem: 'not JSON: no comma before it' });
    else if (!elementIsObject) out.push({ index, problem: 'not a JSON object' });
    else if (size > maxRecordBytes) out.push({ index, problem: `longer than ${maxRecordBytes} bytes` });
    else out.push({ index, bytes: parts.length === 1 ? parts[0] : Buffer.concat(parts) });
    inElement = false;
    last = 'element';
    parts = [];
    size = 0;
  };
  // A comma where an element should be (`[,`, `,,`, `,]`) stands for one, which is bad.
  const empty = (out: ScannedElement[]): void => {
    out.push({ index: ++index, problem: 'not JSON: an empty element' });
  };

  for await (const chunk of chunks) {
    const out: ScannedElement[] = [];
    let elementStart = 0;
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i];
      if (inString) {
        if (escape) escape = false;
        else if (c === BACKSLASH) {
          escape = true;
          if (depth === 1) keyEscaped = true;
        }
        else if (c === QUOTE) {
          inString = false;
          if (depth === 1) lastKey = key;
        } else if (depth === 1 && key.length < KEY_CAPTURE) key += String.fromCharCode(c);
        continue;
      }
      if (isSpace(c)) continue;
      if (!started) {
        if (c !== OPEN_OBJECT) throw new RecordsFileError('not a CloudTrail log file (no {"Records":[...]})');
        started = true;
      } else if (depth === 0) {
        // JSON.parse refuses anything after the document; a second document here would be lost.
        // Unless the document had no Records: a log of JSON lines (a Vault audit log, say).
        fault = recordsSeen ? 'data after the end of the {"Records":[...]} document' : 'no "Records" array';
        break;
      }
      if (inRecords && depth === 2 && !inElement && c !== COMMA && c !== CLOSE_ARRAY) {
        index++;
        inElement = true;
        elementIsObject = c === OPEN_OBJECT;
        missingComma = last === 'element';
        elementStart = i;
      }
      switch (c) {
        case QUOTE:
          inString = true;
          key = '';
          keyEscaped = false;
          break;
        case COLON:
          if (depth === 1) currentKey = keyEscaped ? undefined : lastKey;
          if (depth === 1 && keyEscaped) fault = 'a top-level key written with escapes';
          // JSON.parse keeps the last of two "Records" keys; this scanner would keep the first.
          else if (depth === 1 && recordsSeen && currentKey === RECORDS_KEY) fault = 'more than one "Records" key';
          break;
        case COMMA:
          if (depth === 1) currentKey = undefined;
          else if (inRecords && depth === 2) {
            // A scalar element ends at the comma; an object ends at its closing brace.
            if (inElement) finish(out);
            else if (last !== 'element') empty(out);
            last = 'comma';
          }
          break;
        case OPEN_OBJECT:
        case OPEN_ARRAY:
          if (c === OPEN_ARRAY && depth === 1 && currentKey === RECORDS_KEY && !recordsSeen) inRecords = recordsSeen = true;
          depth++;
          break;
        case CLOSE_OBJECT:
        case CLOSE_ARRAY:
          depth--;
          if (inRecords && depth === 2 && inElement && elementIsObject) {
            const piece = chunk.subarray(elementStart, i + 1);
            size += piece.length;
            if (size <= maxRecordBytes) parts.push(Buffer.from(piece));
            finish(out);
          } else if (inRecords && depth === 1) {
            if (inElement) finish(out);
            else if (last === 'comma') empty(out);
            inRecords = false;
          }
          break;
      }
      if (fault !== undefined) break;
    }
    if (fault !== undefined) {
      if (out.length > 0) yield out;
      throw new RecordsFileError(fault);
    }
    if (inElement && elementIsObject) {
      // The element goes on into the next chunk: keep its part (copied, the stream may reuse it).
      const piece = chunk.subarray(elementStart);
      size += piece.length;
      if (size <= maxRecordBytes) parts.push(Buffer.from(piece));
      else parts = [];
    }
    if (out.length > 0) yield out;
  }
  if (!recordsSeen) throw new RecordsFileError(started ? 'no "Records" array' : 'empty file');
  if (depth !== 0 || inString) throw new RecordsFileError(`truncated after ${index - (inElement ? 1 : 0)} records`);
}
