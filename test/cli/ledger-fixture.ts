/**
 * Ledger fixtures for the CLI tests: a log written to a directory in the tlog-tiles layout by
 * LogAppender (as the server writes it), its checkpoint signed with a generated key, and a fake
 * server (a fetch) answering the ledger and journal routes from that directory and a record list.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  CHECKPOINT_PATH, formatVerifierKey, inclusionProofFromTiles, ledgerEntry, LogAppender, noteSigner, noteVerifier, signCheckpoint,
  type NoteSigner,
} from '../../src/ledger/index.js';
import { directoryFetcher } from '../../src/cli/ledger-fetch.js';
import type { FetchLike } from '../../src/sdk/index.js';

export const ORIGIN = 'sealtrail.test/ledger';

export interface LogKey { signer: NoteSigner; vkey: string }

export function logKey(name = ORIGIN): LogKey {
  const { privateKey } = generateKeyPairSync('ed25519');
  const signer = noteSigner(name, privateKey);
  return { signer, vkey: formatVerifierKey(noteVerifier(name, privateKey)) };
}

/** Record texts of seq 0..count-1 (a record's seq is its leaf index), varied in length. */
export function recordTexts(count: number, tag = 'r'): string[] {
  return Array.from({ length: count }, (_, i) => JSON.stringify({ seq: i, tag, pad: 'x'.repeat(i % 37) }));
}

export interface DirLog { dir: string; size: number; root: Buffer; note: string }

/**
 * Writes the log of `records` (record i has seq i) to `dir` in `batches` appends, then the
 * signed checkpoint; returns it.
 */
export function writeLog(dir: string, records: readonly string[], key: LogKey, batches = 3): DirLog {
  const appender = LogAppender.empty();
  const entries = records.map((r, i) => ledgerEntry(i, Buffer.from(r, 'utf8')));
  const step = Math.ceil(entries.length / batches) || 1;
  for (let at = 0; at < entries.length; at += step) {
    for (const file of appender.append(entries.slice(at, at + step)).files) {
      mkdirSync(dirname(join(dir, file.path)), { recursive: true });
      writeFileSync(join(dir, file.path), file.data);
    }
  }
  const note = signCheckpoint({ origin: key.signer.name, size: appender.size, root: appender.root(), extensions: [] }, key.signer);
  writeFileSync(join(dir, CHECKPOINT_PATH), note);
  return { dir, size: appender.size, root: appender.root(), note };
}

/** The proof bundle of record `seq` of a log in `dir`, built as `ledger prove` builds it. */
export async function bundleOf(log: DirLog, records: readonly string[], seq: number): Promise<Record<string, unknown>> {
  const index = seq;
  const hashes = await inclusionProofFromTiles(directoryFetcher(log.dir), index, log.size);
  return {
    format: 'sealtrail-ledger-proof/v1',
    seq,
    record: records[index],
    entry: Buffer.from(ledgerEntry(seq, Buffer.from(records[index], 'utf8'))).toString('base64'),
    inclusion: { index, size: log.size, hashes: hashes.map((h) => h.toString('base64')) },
    checkpoint: log.note,
  };
}

/** Flips one bit of byte `at` of a file of the log. */
export function flipByte(dir: string, path: string, at: number): void {
  const file = join(dir, path);
  const data = readFileSync(file);
  data[at] ^= 0x01;
  writeFileSync(file, data);
}

/** The offset of entry `k`'s first content byte in a bundle (each entry: uint16 length, bytes). */
export function entryOffset(bundle: Buffer, k: number): number {
  let offset = 0;
  for (let i = 0; i < k; i++) offset += 2 + bundle.readUInt16BE(offset);
  return offset + 2;
}

export interface FakeServer {
  fetch: FetchLike;
  /** Requests seen: method, URL and whether a token came with it. */
  seen: { url: string; token: string | undefined }[];
}

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

/**
 * A fetch answering as a Sealtrail server at http://127.0.0.1:8200 would: the ledger routes of the
 * contract from the log directory, sys/journal/records (after_seq or request_id, raw) from
 * `records()` (read per request, so a test can change a record), 403 without `token`
 * (`logOnlyToken` reads the ledger routes alone); and a
 * static copy of the log under /mirror/, open to all.
 */
export function fakeServer(
  log: () => DirLog, records: () => readonly string[], token: string, requestIds: Record<string, number> = {}, logOnlyToken?: string,
): FakeServer {
  const seen: FakeServer['seen'] = [];
  const fetch: FetchLike = async (input, init) => {
    const url = new URL(input);
    const headers = (init.headers ?? {}) as Record<string, string>;
    seen.push({ url: input, token: headers['X-Vault-Token'] });
    if (url.pathname === '/v1/sys/ledger/key') return json(200, { data: { verifier_key: 'unused', origin: ORIGIN } });
    if (url.pathname.startsWith('/mirror/')) {
      const data = await directoryFetcher(log().dir)(url.pathname.slice('/mirror/'.length)).catch(() => undefined);
      return data ? new Response(new Uint8Array(data), { status: 200 }) : new Response('missing', { status: 404 });
    }
    const logOnly = logOnlyToken !== undefined && headers['X-Vault-Token'] === logOnlyToken && url.pathname.startsWith('/v1/sys/ledger/');
    if (headers['X-Vault-Token'] !== token && !logOnly) return json(403, { errors: ['permission denied'] });
    const { dir, size } = log();
    if (url.pathname.startsWith('/v1/sys/ledger/proof/inclusion')) {
      const index = Number(url.searchParams.get('index'));
      const at = Number(url.searchParams.get('size'));
      if (!(index < at && at <= size)) return json(400, { errors: ['bad range'] });
      const hashes = await inclusionProofFromTiles(directoryFetcher(dir), index, at);
      return json(200, { data: { index, size: at, hashes: hashes.map((h) => h.toString('base64')) } });
    }
    if (url.pathname.startsWith('/v1/sys/ledger/')) {
      try {
        const data = await directoryFetcher(dir)(url.pathname.slice('/v1/sys/ledger/'.length));
        return new Response(new Uint8Array(data), { status: 200 });
      } catch {
        return json(404, { errors: [] });
      }
    }
    if (url.pathname === '/v1/sys/journal/records') {
      const all = records().map((text, i) => ({ seq: i, time: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(), kind: 'server', text }));
      const after = url.searchParams.get('after_seq');
      const requestId = url.searchParams.get('request_id');
      const limit = Number(url.searchParams.get('limit') ?? 100);
      const found = requestId !== null
        ? all.filter((r) => r.seq === requestIds[requestId]).map((r) => ({ ...r, request_id: requestId }))
        : all.filter((r) => r.seq > Number(after ?? -1));
      return json(200, { data: { records: found.slice(0, limit), next_cursor: null } });
    }
    return json(404, { errors: [`no route ${url.pathname}`] });
  };
  return { fetch, seen };
}
