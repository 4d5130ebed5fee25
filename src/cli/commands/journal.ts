/**
 * `sealtrail journal import`: reads logs written elsewhere (or before the journal existed) into
 * the journal database, directly (no server needed; one may run on the same file):
 *   sealtrail journal import --format vault-audit --journal /var/lib/sealtrail/journal.db audit.log audit.log.1.gz
 *   sealtrail journal import --format cloudtrail -config /etc/sealtrail.hcl trail-bucket/AWSLogs
 *   kubectl logs vault-0 | sealtrail journal import --format vault-audit --journal journal.db -
 * Bad lines are reported as `file:line: reason` (never their content) and the import goes on;
 * the exit status is 1 when any was bad, unless --skip-bad.
 */
import type { Command } from 'commander';
import { registerJournalQueries } from './journal-query.js';
import type { CliContext } from '../context.js';
import { CliExit, EXIT_LOCAL, onFile, usageError } from '../failure.js';
import { checkImportTarget, journalLocation, type JournalFileFlags } from './journal-file.js';
import { progressLine } from '../import-progress.js';
import { printable } from '../printable.js';

/**
 * Bad records printed one per line; beyond this only counted (a garbage file has millions). A file
 * that could not be read to its end is always printed: it is one line per file, and the lines
 * before its fault would otherwise hide it.
 */
export const MAX_REPORTED_BAD = 100;

const FORMATS = ['vault-audit', 'cloudtrail', 'capsule-log'] as const;
type Format = (typeof FORMATS)[number];

interface ImportFlags extends JournalFileFlags {
  format?: string;
  skipBad?: boolean;
  prefix?: string;
}

export function registerJournal(program: Command, ctx: CliContext): void {
  const journal = program.command('journal').description('The journal: every record the server witnessed, correlated');
  registerJournalQueries(journal, ctx);

  journal
    .command('import')
    .description('Import Vault/OpenBao audit logs, CloudTrail log files or capsule logs into the journal')
    .argument('<paths...>', 'files (gzipped or not), directories to walk (a trail bucket: AWSLogs/<account>/CloudTrail/...), or - for standard input')
    .option('--format <format>', `input format: ${FORMATS.join(', ')}`)
    .option('--skip-bad', 'exit 0 even when some lines were bad (they are still reported)')
    .option('--prefix <text>', "vault-audit: the file device's prefix, taken off every line")
    .option('--journal <file>', 'the journal database file')
    .option('--config <file>', "a server configuration: its journal { path } is used")
    .action(async (paths: string[], flags: ImportFlags) => {
      // The program's own --format (output format) takes the flag wherever it is written.
      const format = flags.format ?? ctx.globals().format;
      if (!FORMATS.includes(format as Format)) throw usageError(`--format must be one of: ${FORMATS.join(', ')}`);
      if (flags.prefix !== undefined && format !== 'vault-audit') throw usageError('--prefix is for --format vault-audit (the file device\'s prefix option)');
      if (flags.prefix === '') throw usageError('--prefix must not be empty');
      const where = await journalLocation(flags);
      const target = 'path' in where ? await checkImportTarget(where.path, { createDirectories: flags.config !== undefined }) : { created: false };
      // Loaded on demand: the journal (SQLite) is server code, which other commands should not load.
      const { openImportWriter, importFiles, spoolDirectory, createPostgresJournalStore, InputsError } = await import('../../journal/index.js');
      const io = ctx.io;
      const started = performance.now();
      const progress = progressLine((t) => io.stderr(t), io.stderrIsTty === true, () => performance.now());
      // Bad lines or records reported; a file's own fault is printed whatever this count.
      let reported = 0;
      // On PostgreSQL, into the shared database: the active server's ledger takes the records within a second.
      const store = 'url' in where ? await createPostgresJournalStore({ url: where.url }) : openImportWriter(where.path);
      if (target.created && 'path' in where) io.stderr(`created new journal at ${printable(where.path)}\n`);
      const run = async () => {
        try {
          return await importFiles({
            format: format as Format,
            paths,
            store,
            // Importing a directory that holds the journal must not read the journal itself.
            exclude: 'url' in where ? [] : [...['', '-wal', '-shm', '-journal'].map((suffix) => where.path + suffix), spoolDirectory(where.path)],
            onBad(bad) {
              if (bad.line !== undefined && ++reported > MAX_REPORTED_BAD) return;
              progress.done();
              // Names found in a walked tree are not the operator's.
              io.stderr(`${printable(bad.file)}${bad.line === undefined ? '' : `:${bad.line}`}: ${printable(bad.reason)}\n`);
            },
            onProgress: (p) => progress.update(p),
            stdin: () => io.stdinChunks(),
            prefix: flags.prefix,
          });
        } catch (err) {
          if (err instanceof InputsError) throw usageError(err.message);
          throw err;
        } finally {
          progress.done();
          await store.close();
        }
      };
      // The writer thread opens the file: one that is no journal fails the first batch, named here.
      const summary = 'path' in where ? await onFile(where.path, run) : await run();
      if (reported > MAX_REPORTED_BAD) io.stderr(`... and ${reported - MAX_REPORTED_BAD} more bad records not listed\n`);
      // Inputs were named (commander requires one): finding no file in them is a mistake, not an import.
      if (summary.files === 0) {
        throw usageError(`no file to import in ${paths.join(', ')}${format === 'cloudtrail' ? ' (CloudTrail log files: *.json, *.json.gz)' : ''}; the journal's own files are never read`);
      }
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      io.stdout(`imported ${summary.added} records (${summary.duplicates} duplicates, ${summary.bad} bad) from ${summary.files} files in ${seconds} s\n`);
      if (summary.bad > 0 && !flags.skipBad) throw new CliExit(EXIT_LOCAL);
    });
}
