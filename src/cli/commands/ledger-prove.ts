/**
 * `sealtrail ledger prove <seq> | --request-id <id> [-o file]`: the proof bundle of one journal
 * record (ledger-bundle.ts). With --request-id the request's first record (oldest) is proved: the
 * request record, which names what was asked; prove a response by its seq. The log appends
 * records a moment after the journal takes them, so prove waits (bounded) for a checkpoint that
 * covers the record, and checks the proof against that checkpoint's root before writing it.
 */
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { HASH_SIZE, ledgerEntry, leafHash, rootFromInclusionProof } from '../../ledger/index.js';
import type { SealtrailClient } from '../../sdk/index.js';
import type { CliContext } from '../context.js';
import { CliExit, EXIT_REMOTE, EXIT_VERIFY_FAILED, remote, usageError } from '../failure.js';
import { parseIntFlag } from '../flags.js';
import { readRecordPage, type RecordView } from '../journal-api.js';
import { BUNDLE_FORMAT, formatProofBundle, MAX_PROOF_HASHES, strictBase64, type ProofBundle } from '../ledger-bundle.js';
import { printable } from '../printable.js';
import { checkpointOfNote, columnsOf, readCheckpointNote, serverLog } from '../ledger-server.js';
import type { SeqRecord } from '../ledger-records.js';

/** How long prove waits, by default, for a checkpoint covering the record. */
export const DEFAULT_PROVE_WAIT_S = 10;
/** The longest --wait accepted. */
export const MAX_PROVE_WAIT_S = 3600;
/** Between two reads of the checkpoint while waiting. */
export const PROVE_POLL_MS = 250;

interface ProveFlags { requestId?: string; output?: string; wait: string }

async function findRecord(client: SealtrailClient, seq: string | undefined, requestId: string | undefined): Promise<SeqRecord> {
  if ((seq === undefined) === (requestId === undefined)) throw usageError('give one of a record seq or --request-id');
  let query: Record<string, string>;
  if (seq !== undefined) {
    if (!/^\d{1,15}$/.test(seq)) throw usageError('the record seq must be a non-negative integer');
    const n = Number(seq);
    // after_seq=-1 is before the first record (seq 0).
    query = { after_seq: String(n - 1), limit: '1', format: 'raw' };
  } else {
    query = { request_id: requestId!, order: 'asc', limit: '1', format: 'raw' };
  }
  // A raw page: each record's seq and text are checked there.
  const [record] = (await remote('reading the journal', () => readRecordPage(client, query))).records;
  if (!record || (seq !== undefined && record.seq !== Number(seq))) {
    throw new CliExit(EXIT_REMOTE, seq !== undefined ? `Error: no record with seq ${seq} in the journal` : 'Error: no record of that request in the journal');
  }
  if (requestId !== undefined) await checkRequest(record, requestId);
  return { seq: record.seq, text: record.text! };
}

/** The record answered for a request id must be that request's, by its column and by its text. */
async function checkRequest(record: RecordView, requestId: string): Promise<void> {
  if (record.request_id !== requestId) {
    throw new CliExit(EXIT_REMOTE, `Error: the server answered a record of another request (seq ${record.seq}) for that request id`);
  }
  // Loaded on demand, as `ledger verify` does: the journal's extractors are server code.
  const { storedColumnsProblem } = await import('../../journal/index.js');
  const column = storedColumnsProblem(record.text!, columnsOf(record));
  if (column) throw new CliExit(EXIT_REMOTE, `Error: the server's record seq ${record.seq}: its ${column} is not what its text says`);
}

async function sleep(ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

/** The first signed checkpoint whose tree holds entry `index`, read until `waitMs` have passed. */
async function coveringCheckpoint(fetch: Parameters<typeof readCheckpointNote>[0], index: number, waitMs: number): Promise<string> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const note = await readCheckpointNote(fetch).catch((err: Error) => {
      throw new CliExit(EXIT_REMOTE, `Error reading the checkpoint: ${printable(err.message)}`);
    });
    let size: number | undefined;
    if (note !== undefined) {
      try {
        size = checkpointOfNote(note).size;
      } catch (err) {
        throw new CliExit(EXIT_REMOTE, `Error: the server's checkpoint is malformed: ${(err as Error).message}`);
      }
      if (size > index) return note;
    }
    if (Date.now() >= deadline) {
      throw new CliExit(EXIT_REMOTE, `Error: no checkpoint covers entry ${index} after ${waitMs / 1000} s (latest: ${size === undefined ? 'none' : `${size} entries`})`);
    }
    await sleep(PROVE_POLL_MS);
  }
}

async function inclusionHashes(client: SealtrailClient, index: number, size: number): Promise<string[]> {
  const answer = await remote('reading the inclusion proof', () =>
    client.read<{ index?: unknown; size?: unknown; hashes?: unknown }>('sys/ledger/proof/inclusion', { index: String(index), size: String(size) }));
  const data = answer?.data;
  const hashes = data?.hashes;
  if (data?.index !== index || data?.size !== size || !Array.isArray(hashes) || hashes.length > MAX_PROOF_HASHES
    || hashes.some((h) => strictBase64(h, HASH_SIZE) === undefined)) {
    throw new CliExit(EXIT_REMOTE, 'Error: the server answered a malformed inclusion proof');
  }
  return hashes as string[];
}

export function registerLedgerProve(ledger: Command, ctx: CliContext): void {
  ledger
    .command('prove')
    .description('Write the proof bundle of one journal record: the record, its entry, its inclusion proof, the signed checkpoint')
    .argument('[seq]', "the record's seq (as journal search shows it)")
    .option('--request-id <id>', "the request's first record instead")
    .option('-o, --output <file>', 'write the bundle here (default: stdout)')
    .option('--wait <seconds>', 'wait this long for a checkpoint covering the record', String(DEFAULT_PROVE_WAIT_S))
    .action(async (seq: string | undefined, flags: ProveFlags) => {
      const waitS = parseIntFlag('wait', flags.wait)!;
      if (waitS > MAX_PROVE_WAIT_S) throw usageError(`--wait is at most ${MAX_PROVE_WAIT_S} seconds`);
      const { client, fetch } = await serverLog(ctx);
      const record = await findRecord(client, seq, flags.requestId);
      // Leaf I of the log is the record with seq I.
      const index = record.seq;
      const note = await coveringCheckpoint(fetch, index, waitS * 1000);
      const { size, root } = checkpointOfNote(note);
      const hashes = await inclusionHashes(client, index, size);
      const entry = Buffer.from(ledgerEntry(record.seq, Buffer.from(record.text, 'utf8')));
      // The journal's record must be what the log holds: a bundle that cannot verify is not written.
      const proofRoot = rootFromInclusionProof(index, size, leafHash(entry), hashes.map((h) => Buffer.from(h, 'base64')));
      if (!proofRoot.equals(root)) {
        throw new CliExit(EXIT_VERIFY_FAILED, `FAILED: record seq ${record.seq} does not lead to the checkpoint's root: the journal's record differs from entry ${index}, or the proof is wrong`);
      }
      const bundle: ProofBundle = {
        format: BUNDLE_FORMAT, seq: record.seq, record: record.text, entry: entry.toString('base64'),
        inclusion: { index, size, hashes }, checkpoint: note,
      };
      const text = formatProofBundle(bundle);
      if (flags.output === undefined) return ctx.io.stdout(text);
      await writeFile(flags.output, text);
      ctx.io.stderr(`wrote the proof of record seq ${record.seq} (entry ${index}, tree size ${size}) to ${flags.output}\n`);
    });
}
