/**
 * `sealtrail ledger verify --url <server or prefix> | --dir <dir> --key <vkey> [--since cp.txt]
 * [--journal journal.db]`: the whole log checked by the reference verifier (every entry hashed,
 * every tile and the root recomputed, the checkpoint's signature), then
 *   --since     the saved checkpoint (signed by the same key) must be a prefix of today's log:
 *               a consistency proof computed from the verified tiles, checked against both roots;
 *   journal     each record must still match its entry — through the server's journal API when
 *               --url is the configured server (another host gets no token, and is not asked
 *               for its journal), or read from the database file with --journal — and each
 *               record's index columns must be what its text says (journal/extract/stored-keys.ts).
 * Each finding is one `FAILED:` line naming the first bad entry index; the exit status is then 3.
 */
import type { Command } from 'commander';
import {
  CHECKPOINT_PATH, consistencyProofFromTiles, hashLeavesHere, openCheckpoint, verifyConsistency, verifyLog, type LogFetcher, type LogVerdict, type NoteVerifier,
} from '../../ledger/index.js';
import { SealtrailError } from '../../errors/index.js';
import { SealtrailClient } from '../../sdk/index.js';
import { resolveAddress, resolveToken, type CliContext } from '../context.js';
import { CliExit, EXIT_LOCAL, EXIT_REMOTE, EXIT_VERIFY_FAILED, localFailure, usageError } from '../failure.js';
import { statusLine } from '../import-progress.js';
import { MAX_CHECKPOINT_FILE_BYTES, readInputText } from '../input-limits.js';
import { loadVerifierKey } from '../ledger-input.js';
import { directoryFetcher, parseLedgerUrl, sameServer, serverReadFetch, urlFetcher } from '../ledger-fetch.js';
import { printable } from '../printable.js';
import { checkingRecords, type ColumnsCheck, type RecordPage, type RecordVerdict } from '../ledger-records.js';
import { apiRecordPage } from '../ledger-server.js';
import { threadedDirectory } from '../leaf-hasher.js';
import { checkJournalFile } from './journal-file.js';

/** From this many entries on, a directory's bundles are read and hashed on a second thread (leaf-hasher.ts). */
export const THREAD_FROM_ENTRIES = 4096;

interface VerifyFlags { url?: string; dir?: string; key: string; since?: string; journal?: string; skipJournal?: boolean }

interface Source { fetch: LogFetcher; records?: RecordPage; checkColumns?: ColumnsCheck; close(): void; where: string }

const failedAt = (index: number | undefined, text: string) =>
  index === undefined ? `FAILED: ${text}` : `FAILED: entry ${index}: ${text}`;

async function sourceOf(ctx: CliContext, flags: VerifyFlags): Promise<Source> {
  if ((flags.url === undefined) === (flags.dir === undefined)) throw usageError('give one of --url or --dir');
  let source: Source;
  if (flags.url !== undefined) {
    const url = parseLedgerUrl(flags.url);
    // The token goes only to the server the CLI is configured for, never to a host named on the line.
    const configured = resolveAddress(ctx.globals(), ctx.io.env);
    const configuredServer = url.server && sameServer(url.address!, configured);
    const token = configuredServer ? await resolveToken(ctx.io) : undefined;
    // Without a token the journal's records cannot be read, so another host's are not asked for:
    // the log's files are all the verifier takes from a host it does not trust with a token.
    const readJournal = url.server && flags.journal === undefined && !flags.skipJournal && configuredServer;
    if (url.server && !configuredServer) {
      const journalNote = flags.journal === undefined && !flags.skipJournal ? ', so its journal is not compared' : '';
      ctx.io.stderr(`note: no token is sent to ${url.address} (only to the configured server, ${configured}: -address, SEALTRAIL_ADDR or VAULT_ADDR)${journalNote}\n`);
    }
    // The TLS settings apply to whichever server --url names, as they would to -address.
    const fetchImpl = url.server ? serverReadFetch(await ctx.fetch()) : await ctx.fetch();
    source = { fetch: urlFetcher(url, token, fetchImpl), close: () => undefined, where: url.prefix };
    if (readJournal) {
      // As the log's own reads (urlFetcher): the token follows no redirect, which would carry it elsewhere.
      const server = new SealtrailClient({ address: url.address!, token, fetch: (input, init) => fetchImpl(input, { ...init, redirect: 'error' }) });
      server.setToken(token);
      source.records = apiRecordPage(server);
    }
  } else {
    source = { fetch: directoryFetcher(flags.dir!), close: () => undefined, where: flags.dir! };
  }
  if (flags.journal !== undefined) {
    await checkJournalFile(flags.journal);
    // Loaded on demand: the journal (SQLite) is server code, which other commands should not load.
    const { openJournalFileRecords } = await import('../../journal/index.js');
    let file;
    try {
      file = openJournalFileRecords(flags.journal);
    } catch (err) {
      if ((err as { code?: unknown }).code === 'SQLITE_NOTADB') throw new CliExit(EXIT_LOCAL, localFailure(err, flags.journal));
      throw usageError(`--journal: cannot open ${flags.journal} as a journal database (${(err as Error).message})`);
    }
    source.records = async (afterSeq, limit) => file.since(afterSeq, limit);
    source.close = () => file.close();
  }
  // Loaded on demand, as the journal file's reader: the journal's extractors are server code.
  if (source.records) source.checkColumns = (await import('../../journal/index.js')).storedColumnsProblem;
  return source;
}

/** Opens a signed checkpoint with the key; a failure is the command's finding (or a bad --since file). */
function opened(note: Uint8Array | string, key: NoteVerifier, what: string, exitCode: number) {
  try {
    return openCheckpoint(note, key).checkpoint;
  } catch (err) {
    if (!(err instanceof SealtrailError)) throw err;
    throw new CliExit(exitCode, `FAILED: ${what} does not verify with the key of ${key.name}: ${err.message}`);
  }
}

async function consistency(fetch: LogFetcher, saved: { size: number; root: Buffer }, now: { size: number; root: Buffer }): Promise<string | undefined> {
  if (saved.size > now.size) return `the log has ${now.size} entries, fewer than the ${saved.size} of the saved checkpoint`;
  let proof: Buffer[];
  try {
    proof = await consistencyProofFromTiles(fetch, saved.size, now.size);
  } catch (err) {
    return `no consistency proof from the tiles: ${printable((err as Error).message)}`;
  }
  try {
    verifyConsistency(saved.size, now.size, proof, saved.root, now.root);
    return undefined;
  } catch {
    return `the log is not an extension of the saved checkpoint (size ${saved.size}): entries before ${saved.size} were changed or removed`;
  }
}

function logFailure(verdict: Extract<LogVerdict, { ok: false }>): string {
  return failedAt(verdict.index, `${verdict.path}: ${printable(verdict.reason)}`);
}

export function registerLedgerVerify(ledger: Command, ctx: CliContext): void {
  ledger
    .command('verify')
    .description('Verify the whole log: every entry and tile against the signed root; optionally against a saved checkpoint and the journal')
    .option('--url <url>', 'a server address (its /v1/sys/ledger) or the URL prefix of a copy of the log')
    .option('--dir <dir>', 'a directory holding the log (the server\'s <data dir>/ledger, or a copy)')
    .requiredOption('--key <vkey>', "the log's verifier key (name+id+key) or a file holding it")
    .option('--since <file>', 'a checkpoint saved earlier (ledger checkpoint > file): the log must extend it')
    .option('--journal <file>', 'compare the records of this journal database with their entries')
    .option('--skip-journal', "with a server's --url, do not compare its journal's records (the log alone)")
    .action(async (flags: VerifyFlags) => {
      const key = await loadVerifierKey(flags.key);
      const saved = flags.since === undefined ? undefined
        : opened(await readInputText(ctx.io, flags.since, MAX_CHECKPOINT_FILE_BYTES), key, `the saved checkpoint ${flags.since}`, EXIT_LOCAL);
      const source = await sourceOf(ctx, flags);
      try {
        const note = await source.fetch(CHECKPOINT_PATH).catch((err: Error) => {
          throw new CliExit(EXIT_REMOTE, `Error reading ${CHECKPOINT_PATH} from ${source.where}: ${printable(err.message)}`);
        });
        const { size, root } = opened(note, key, 'the checkpoint', EXIT_VERIFY_FAILED);
        // Reading and hashing a directory's bundles on a second thread pays off once there is more than a moment of it.
        const threaded = flags.dir !== undefined && size >= THREAD_FROM_ENTRIES ? threadedDirectory(flags.dir, hashLeavesHere) : undefined;
        const fetchLog = threaded?.fetch ?? source.fetch;
        const checker = source.records ? checkingRecords(fetchLog, source.records, source.checkColumns) : undefined;
        const progress = statusLine((t) => ctx.io.stderr(t), ctx.io.stderrIsTty === true, () => performance.now(), 200);
        let verdict: LogVerdict;
        try {
          verdict = await verifyLog({
            size, root, fetch: checker?.fetch ?? fetchLog, hashLeaves: threaded?.hashLeaves,
            onProgress: (n) => progress.update((ms) => progressText(n, size, ms)),
          });
        } finally {
          progress.done();
          await threaded?.close();
        }
        const records: RecordVerdict | undefined = await checker?.verdict();
        const findings: string[] = [];
        if (!verdict.ok) findings.push(logFailure(verdict));
        if (records && records.ok === false) findings.push(failedAt(records.index, records.reason));
        if (verdict.ok && saved) {
          const problem = await consistency(source.fetch, saved, { size, root });
          if (problem) findings.push(`FAILED: ${problem}`);
        }
        if (findings.length > 0) throw new CliExit(EXIT_VERIFY_FAILED, findings.join('\n'));
        if (records?.ok === 'unreadable') throw new CliExit(EXIT_REMOTE, `Error: the log verified, but the journal could not be read: ${printable(records.error)}`);
        const parts = [`OK: ${key.name} at tree size ${size}, root ${root.toString('base64')}: every entry and tile reproduces the signed root`];
        if (records?.ok === true) parts.push(`${records.checked} journal records match their entries`);
        if (saved) parts.push(`the log extends the saved checkpoint of size ${saved.size}`);
        ctx.io.stdout(`${parts.join('; ')}\n`);
      } finally {
        source.close();
      }
    });
}

function progressText(done: number, total: number, elapsedMs: number): string {
  const rate = elapsedMs > 0 ? done / (elapsedMs / 1000) : 0;
  const eta = rate > 0 ? `${Math.ceil((total - done) / rate)} s` : '?';
  const percent = total > 0 ? ((100 * done) / total).toFixed(1) : '100.0';
  return `verified ${done} of ${total} entries (${percent}%), ${Math.round(rate)} entries/s, ETA ${eta}`;
}
