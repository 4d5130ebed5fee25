/** The ledger commands' local inputs: the log's verifier key, and files read with a bound. */
import { existsSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { parseVerifierKey, type NoteVerifier } from '../ledger/index.js';
import type { CliContext } from './context.js';
import { onFile, usageError } from './failure.js';
import { messageOf } from './ledger-bundle.js';

/** A verifier key is about a hundred characters; a key file larger than this is not one. */
export const MAX_KEY_FILE_BYTES = 4096;
/** Bytes asked of a file per read, at most (a bundle takes a few dozen reads). */
const READ_CHUNK_BYTES = 1024 * 1024;

/** `--key`: a verifier key (name+id+base64), or a file holding one. */
export async function loadVerifierKey(value: string): Promise<NoteVerifier> {
  const text = (existsSync(value) ? await readBounded(value, MAX_KEY_FILE_BYTES, 'the key file') : value).trim();
  try {
    return parseVerifierKey(text);
  } catch (err) {
    throw usageError(`--key: ${messageOf(err)} (give the log's verifier key, name+id+key, or a file holding it)`);
  }
}

/** A file argument, or stdin for `-`; bounded, so a wrong file is refused rather than used. */
export async function readInput(ctx: CliContext, file: string, max: number, what: string): Promise<string> {
  return file === '-' ? textUpTo(ctx.io.stdinChunks(), max, what) : readBounded(file, max, what);
}

const tooLarge = (what: string, max: number) => usageError(`${what} is over ${max} bytes`);

/**
 * A file's text, read no further than `max` bytes. A regular file's size is known, and one too
 * large is refused unread; a pipe, a FIFO or a device (/dev/zero) has none, so the bound is kept
 * while reading.
 */
async function readBounded(file: string, max: number, what: string): Promise<string> {
  return onFile(file, async () => {
    const handle = await open(file, 'r');
    try {
      if ((await handle.stat()).size > max) throw tooLarge(what, max);
      return await textUpTo(chunksOf(handle, Math.min(max + 1, READ_CHUNK_BYTES)), max, what);
    } finally {
      await handle.close();
    }
  });
}

async function* chunksOf(handle: FileHandle, size: number): AsyncGenerator<Uint8Array> {
  for (;;) {
    const { bytesRead, buffer } = await handle.read(Buffer.allocUnsafe(size), 0, size, null);
    if (bytesRead === 0) return;
    yield buffer.subarray(0, bytesRead);
  }
}

/** The chunks' UTF-8 text; refused as soon as they pass `max` bytes, the rest never read. */
async function textUpTo(chunks: AsyncIterable<Uint8Array>, max: number, what: string): Promise<string> {
  const parts: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of chunks) {
    total += chunk.length;
    if (total > max) throw tooLarge(what, max);
    parts.push(chunk);
  }
  return Buffer.concat(parts).toString('utf8');
}
