/**
 * What the CLI reads from a file named on its command line or from standard input (`-`): every
 * bound, and the one reader that keeps them. Each bound fits what the server, or the offline
 * verifier, accepts for that input, so the CLI refuses no input a server with default limits would
 * take, and holds no more than that in memory. `journal import` streams its input instead (each
 * line at most `MAX_LINE_BYTES`, src/journal/import/limits.ts), and `operator diagnose` reads its
 * configuration as the server does (a regular file only, src/config/load.ts).
 *
 * An input is read no further than its bound, whatever it is: a regular file over it is refused
 * unread, and stdin, a pipe, a FIFO or a device (/dev/zero), which have no size to check, are
 * refused as soon as they pass it. Either way the command ends with one line naming the input and
 * the bound (`sealtrail: policy.hcl: larger than 32 MiB`) and exit 1; a missing file, a directory
 * or a file it may not read end the same way (`sealtrail: policy.hcl: no such file or directory`).
 */
import { open, type FileHandle } from 'node:fs/promises';
import { openRegularFile } from '../lib/regular-file.js';
import { MAX_SUPPLIED_ITEM_BYTES } from '../attestation/index.js';
import { DEFAULT_MAX_REQUEST_SIZE, DEFAULT_REQUEST_LIMITS } from '../config/index.js';
import { MAX_NOTE_BYTES } from '../ledger/index.js';
import { onFile, usageError } from './failure.js';

const KiB = 1024;
const MiB = 1024 * KiB;

/**
 * Data sent in an authenticated request body: `key=@file`, `@file`, `key=-` and `-` (write, kv,
 * read/list parameters, audit/mount options, metadata), a policy file, capsule files and stdin.
 * The server's default `max_request_size`: a server may be configured for more, never the CLI.
 */
export const MAX_REQUEST_INPUT_BYTES = DEFAULT_MAX_REQUEST_SIZE;
/**
 * JSON read for a request body (`-` and `@file` of write and kv, capsule files) nests at most this
 * deep: a server's default `max_request_json_depth`. It is checked before the text is parsed, as
 * JSON.parse holds memory for every level it has open (30 MiB of `[` took 1.5 GB).
 */
export const MAX_REQUEST_INPUT_DEPTH = DEFAULT_REQUEST_LIMITS.maxRequestJsonDepth;
/** An unseal key share from stdin: the body allowance of `sys/unseal` (`max_request_size_login`). */
export const MAX_UNSEAL_KEY_INPUT_BYTES = DEFAULT_REQUEST_LIMITS.maxRequestSizeLogin;
/**
 * A token from stdin (`login -`), and the stored one (~/.sealtrail-token): it travels in a header,
 * and a request's headers together end at 16 KiB (Node's default), so no longer token can be sent.
 */
export const MAX_TOKEN_INPUT_BYTES = 16 * KiB;
/**
 * Attestation evidence (`attest verify <file>`): the body allowance of an attestation login
 * (`max_request_size_login`). The largest evidence a verifier takes, a 128 KiB DCAP quote, is
 * 256 KiB as hex text.
 */
export const MAX_EVIDENCE_FILE_BYTES = DEFAULT_REQUEST_LIMITS.maxRequestSizeLogin;
/** A certificate file (`attest verify --cert`, `--root`): the SNP verifier's bound on one supplied item. */
export const MAX_CERTIFICATE_FILE_BYTES = MAX_SUPPLIED_ITEM_BYTES;
/** A CRL file (`attest verify --crl`): the verifier's 1 MiB CRL as hex text is 2 MiB. */
export const MAX_CRL_FILE_BYTES = 4 * MiB;
/** The DCAP collateral document (`attest verify --collateral`): nine items of at most 256 Ki characters. */
export const MAX_COLLATERAL_FILE_BYTES = 4 * MiB;
/** A TLS file (-ca-cert, each file under -ca-path, -client-cert, -client-key): a system CA bundle is a few hundred KiB. */
export const MAX_TLS_FILE_BYTES = 4 * MiB;
/** A digest public key file (`trail validate-logs --public-key`, each *.pem of its directory): a PEM key is some 450 bytes. */
export const MAX_PUBLIC_KEY_FILE_BYTES = MiB;
/** A ledger proof bundle (`ledger verify-bundle`): a record is rarely over a megabyte. */
export const MAX_BUNDLE_BYTES = 64 * MiB;
/**
 * How deep a proof bundle may nest: it nests three levels (the bundle, `inclusion`, its `hashes`).
 * Checked before it is parsed: 60 MiB of `[` took 2.8 GB in JSON.parse.
 */
export const MAX_BUNDLE_DEPTH = 64;
/** A ledger verifier key file (`--key`): a key is about a hundred characters. */
export const MAX_KEY_FILE_BYTES = 4 * KiB;
/** A saved checkpoint (`ledger verify --since`): a signed note's own bound. */
export const MAX_CHECKPOINT_FILE_BYTES = MAX_NOTE_BYTES;

/** Bytes asked of a file per read, at most. */
const READ_CHUNK_BYTES = MiB;
/** How messages name stdin. */
export const STDIN_NAME = 'standard input';

/** Where standard input comes from (CliIo has it). */
export interface StdinSource {
  /** Stdin's bytes as they arrive. */
  stdinChunks(): AsyncIterable<Uint8Array>;
}

/** `1 MiB`, `64 KiB`, `65,537 bytes`. */
export function formatLimit(bytes: number): string {
  if (bytes % MiB === 0) return `${bytes / MiB} MiB`;
  if (bytes % KiB === 0) return `${bytes / KiB} KiB`;
  return `${bytes.toLocaleString('en-US')} bytes`;
}

const tooLarge = (name: string, limit: number) => usageError(`sealtrail: ${name}: larger than ${formatLimit(limit)}`);

/** `-` is standard input, anything else a file: its bytes, at most `limit`. */
export function readInput(stdin: StdinSource, arg: string, limit: number): Promise<Buffer> {
  return arg === '-' ? readStdin(stdin, limit) : readFileUpTo(arg, limit);
}

/** `readInput` as UTF-8 text. */
export async function readInputText(stdin: StdinSource, arg: string, limit: number): Promise<string> {
  return (await readInput(stdin, arg, limit)).toString('utf8');
}

/** Standard input's bytes, at most `limit`; reading stops as soon as they pass it. */
export function readStdin(stdin: StdinSource, limit: number): Promise<Buffer> {
  return bytesUpTo(stdin.stdinChunks(), limit, STDIN_NAME);
}

/** `readStdin` as UTF-8 text. */
export async function readStdinText(stdin: StdinSource, limit: number): Promise<string> {
  return (await readStdin(stdin, limit)).toString('utf8');
}

/**
 * A file's bytes, at most `limit`. A regular file's size is known, and one too large is refused
 * unread; a pipe, a FIFO or a device has none, so the bound is kept while reading.
 */
export function readFileUpTo(path: string, limit: number): Promise<Buffer> {
  return onFile(path, () => fileBytesUpTo(path, limit));
}

/** `readFileUpTo`, but a failure of the file system (ENOENT, EACCES, ...) is thrown as it is. */
export function fileBytesUpTo(path: string, limit: number): Promise<Buffer> {
  return boundedFileBytes(path, limit, false);
}

/**
 * `fileBytesUpTo` for a file the command found in a directory it reads (each *.pem of
 * `--public-key`, each file under -ca-path), not one named by the user: only a regular file is
 * read. It is opened without blocking, so a FIFO put there is refused instead of waited on, and a
 * device such as /dev/zero is refused unread (`sealtrail: keys/a.pem: not a regular file`).
 */
export function regularFileBytesUpTo(path: string, limit: number): Promise<Buffer> {
  return boundedFileBytes(path, limit, true);
}

async function boundedFileBytes(path: string, limit: number, regularOnly: boolean): Promise<Buffer> {
  let handle: FileHandle;
  if (regularOnly) {
    const opened = await openRegularFile(path, { followLinks: true });
    if ('refused' in opened) throw usageError(`sealtrail: ${path}: ${opened.refused}`);
    handle = opened.file;
  } else {
    handle = await open(path, 'r');
  }
  try {
    const info = await handle.stat();
    if (info.isFile() && info.size > limit) throw tooLarge(path, limit);
    return await bytesUpTo(chunksOf(handle, Math.min(limit + 1, READ_CHUNK_BYTES)), limit, path);
  } finally {
    await handle.close();
  }
}

/** `readFileUpTo` as UTF-8 text. */
export async function readFileText(path: string, limit: number): Promise<string> {
  return (await readFileUpTo(path, limit)).toString('utf8');
}

async function* chunksOf(handle: FileHandle, size: number): AsyncGenerator<Uint8Array> {
  for (;;) {
    const { bytesRead, buffer } = await handle.read(Buffer.allocUnsafe(size), 0, size, null);
    if (bytesRead === 0) return;
    yield buffer.subarray(0, bytesRead);
  }
}

/** The chunks' bytes; refused as soon as they pass `limit`, the rest never read. */
async function bytesUpTo(chunks: AsyncIterable<Uint8Array>, limit: number, name: string): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of chunks) {
    total += chunk.length;
    if (total > limit) throw tooLarge(name, limit);
    parts.push(chunk);
  }
  return Buffer.concat(parts, total);
}
