/**
 * Imports files of one format into the journal: records in batches (one transaction each),
 * skipping those already present, so importing the same files again adds nothing. A bad line or
 * record is reported and counted and the import goes on; a file that cannot be read to its end
 * (a truncated gzip, a CloudTrail file cut short) is reported by name, and what was read of it
 * before stays imported.
 */
import { realpathSync } from 'node:fs';
import { resolve, sep } from 'node:path';
import type { ImportOutcome, JournalAppend } from '../types.js';
import { isCloudTrailLogFile, parseCloudTrailRecord } from './cloudtrail.js';
import { parseCapsuleLogLine } from './capsule-log.js';
import { NotRegularFileError, openInput, TrailingDataError } from './input.js';
import { IMPORT_BATCH_RECORDS, IMPORT_BATCH_TEXT_BYTES, IMPORT_BATCHES_IN_FLIGHT, MAX_LINE_BYTES } from './limits.js';
import { readLines } from './lines.js';
import { Problem, type Parsed } from './parsed.js';
import { RecordsFileError, scanRecords } from './records-scanner.js';
import { parseVaultAuditLine } from './vault-audit.js';
import { InputsError, listInputs, type InputEntry } from './walk.js';

export const IMPORT_FORMATS = ['vault-audit', 'cloudtrail', 'capsule-log'] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

/** Where a bad record is: its line, or for CloudTrail files its position in `Records`. */
export interface BadRecord {
  file: string;
  /** Absent when the whole file is bad. */
  line?: number;
  reason: string;
}

export interface ImportProgress {
  files: number;
  records: number;
  bad: number;
  /** Input bytes read (compressed bytes for gzip files) and their total (unknown with a pipe among them). */
  bytes: number;
  totalBytes?: number;
}

export interface ImportSummary extends ImportOutcome {
  files: number;
  records: number;
  bad: number;
}

export interface ImportOptions {
  format: ImportFormat;
  paths: readonly string[];
  /** Where batches go: a store's own thread (import-writer.ts) lets reading go on while one commits. */
  store: { importBatch(records: readonly JournalAppend[]): ImportOutcome | Promise<ImportOutcome> };
  onBad(bad: BadRecord): void;
  onProgress?(progress: ImportProgress): void;
  maxLineBytes?: number;
  batchRecords?: number;
  batchTextBytes?: number;
  /** Files, or directories whose files, never to read, however named (the journal's own files). */
  exclude?: readonly string[];
  /** Standard input, read for the path `-` (walk.ts). */
  stdin?: () => AsyncIterable<Uint8Array>;
  /**
   * vault-audit: the text the file device wrote before every entry (its `prefix` option), taken
   * off each line; a line without it is bad.
   */
  prefix?: string;
}

type LineParser = (text: string, terminated: boolean) => Parsed;
const LINE_PARSERS: Record<Exclude<ImportFormat, 'cloudtrail'>, LineParser> = {
  'vault-audit': parseVaultAuditLine,
  'capsule-log': parseCapsuleLogLine,
};

/** One position's parse result, as the readers yield them. */
interface Item {
  line: number;
  parsed: Parsed;
}

/** A line parser that first takes `prefix` off the line. */
function afterPrefix(prefix: string, parse: LineParser): LineParser {
  return (text, terminated) => (text.startsWith(prefix) ? parse(text.slice(prefix.length), terminated) : new Problem('does not start with the prefix'));
}

async function* itemsOf(format: ImportFormat, chunks: AsyncIterable<Buffer>, maxBytes: number, prefix: string | undefined): AsyncGenerator<Item[]> {
  if (format === 'cloudtrail') {
    for await (const elements of scanRecords(chunks, maxBytes)) {
      yield elements.map((e) => ({ line: e.index, parsed: 'problem' in e ? new Problem(e.problem) : parseCloudTrailRecord(e.bytes) }));
    }
    return;
  }
  const parse = prefix === undefined ? LINE_PARSERS[format] : afterPrefix(prefix, LINE_PARSERS[format]);
  for await (const lines of readLines(chunks, maxBytes)) {
    const items: Item[] = [];
    for (const l of lines) {
      if (!('text' in l)) items.push({ line: l.line, parsed: new Problem(l.problem) });
      else if (l.text.trim() !== '') items.push({ line: l.line, parsed: parse(l.text, l.terminated) });
    }
    yield items;
  }
}

export async function importFiles(opts: ImportOptions): Promise<ImportSummary> {
  const maxBytes = opts.maxLineBytes ?? MAX_LINE_BYTES;
  const batchRecords = opts.batchRecords ?? IMPORT_BATCH_RECORDS;
  const batchTextBytes = opts.batchTextBytes ?? IMPORT_BATCH_TEXT_BYTES;
  // Compared by real path: a symbolic link to the journal's own files is still them.
  const real = (p: string) => {
    try {
      return realpathSync(p);
    } catch {
      return resolve(p);
    }
  };
  const excluded = (opts.exclude ?? []).map(real);
  const isExcluded = (path: string) => {
    const full = real(path);
    return excluded.some((e) => full === e || full.startsWith(`${e}${sep}`));
  };
  const accept = opts.format === 'cloudtrail' ? isCloudTrailLogFile : () => true;
  const inputs: InputEntry[] = (await listInputs(opts.paths, accept)).filter((f) => f.stdin || !isExcluded(f.path));
  if (inputs.some((f) => f.stdin) && !opts.stdin) throw new InputsError('standard input cannot be read here');
  const totalBytes = inputs.every((f) => f.size !== undefined) ? inputs.reduce((sum, f) => sum + (f.size ?? 0), 0) : undefined;
  const summary: ImportSummary = { files: 0, records: 0, bad: 0, added: 0, duplicates: 0 };
  let doneBytes = 0;
  let batch: JournalAppend[] = [];
  // The UTF-8 bytes of the batch's texts: a batch ends at IMPORT_BATCH_RECORDS or at these.
  let batchBytes = 0;
  // Batches handed over and not yet committed, oldest first: reading goes on while they commit.
  const inFlight: Promise<void>[] = [];

  const commit = async (): Promise<void> => {
    if (batch.length > 0) {
      const committed = Promise.resolve(opts.store.importBatch(batch)).then((outcome) => {
        summary.added += outcome.added;
        summary.duplicates += outcome.duplicates;
      });
      // Awaited in turn below; until then its failure must not count as unhandled.
      committed.catch(() => undefined);
      inFlight.push(committed);
      batch = [];
      batchBytes = 0;
    }
    if (inFlight.length >= IMPORT_BATCHES_IN_FLIGHT) await inFlight.shift();
  };
  const drain = async (): Promise<void> => {
    await commit();
    while (inFlight.length > 0) await inFlight.shift();
  };
  const bad = (b: BadRecord): void => {
    summary.bad++;
    opts.onBad(b);
  };

  for (const input of inputs) {
    if (input.problem !== undefined) {
      bad({ file: input.path, reason: input.problem });
      continue;
    }
    let read = (): number => 0;
    const progress = (): void => opts.onProgress?.({ ...summary, bytes: doneBytes + read(), totalBytes });
    try {
      const file = await openInput(input.stdin ? opts.stdin!() : input);
      read = file.bytesRead;
      for await (const items of itemsOf(opts.format, file.chunks, maxBytes, opts.prefix)) {
        for (const { line, parsed } of items) {
          if (parsed instanceof Problem) bad({ file: input.path, line, reason: parsed.problem });
          else {
            summary.records++;
            batch.push({ ...parsed, origin: { file: input.path, line } });
            batchBytes += Buffer.byteLength(parsed.text, 'utf8');
            if (batch.length >= batchRecords || batchBytes >= batchTextBytes) await commit();
          }
        }
        progress();
      }
    } catch (err) {
      bad({ file: input.path, reason: fileProblem(err) });
    }
    summary.files++;
    doneBytes += input.size ?? read();
    read = () => 0;
    progress();
  }
  await drain();
  return summary;
}

/**
 * Why a file could not be read to its end, without echoing its content. Anything else (the
 * journal failing to commit: a full disk) ends the import.
 */
function fileProblem(err: unknown): string {
  if (err instanceof RecordsFileError || err instanceof TrailingDataError || err instanceof NotRegularFileError) return err.message;
  const { code, syscall } = err as NodeJS.ErrnoException;
  if (code === 'Z_BUF_ERROR' || code === 'Z_DATA_ERROR') return 'gzip data truncated or corrupt';
  if (typeof code === 'string' && typeof syscall === 'string') return `cannot be read (${code})`;
  throw err;
}
