/**
 * The journal database a command reads or writes directly (import, export from the file): given
 * with --journal <file>, or the `journal { ... }` block of a server configuration given with
 * -config — its file, or its PostgreSQL database with `storage = "postgresql"`.
 */
import { existsSync, type Stats } from 'node:fs';
import { stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { ConfigError, journalConnectionUrl, journalPath as journalFileOf, loadConfigFile, type ServerConfig } from '../../config/index.js';
import { CliExit, EXIT_LOCAL, localFailure, onFile, usageError } from '../failure.js';

export interface JournalFileFlags {
  journal?: string;
  config?: string;
}

/**
 * The journal file a server configuration names: its `journal { path }`, else `journal.db` beside
 * its sqlite storage. A configuration with the journal off or in memory names no file.
 */
export async function journalPathFromConfig(file: string): Promise<string> {
  const target = await journalOfConfig(file);
  if ('url' in target) throw usageError(`${file}: the journal is on PostgreSQL (journal { storage = "postgresql" }), not in a file`);
  return target.path;
}

/** Where a command finds the journal: a SQLite file, or a PostgreSQL database (its URL, never shown). */
export type JournalLocation = { path: string } | { url: string };

/** The journal a server configuration keeps: its file, or its PostgreSQL database. */
export async function journalOfConfig(file: string): Promise<JournalLocation> {
  let config: ServerConfig;
  try {
    config = await loadConfigFile(file);
  } catch (err) {
    throw usageError(err instanceof ConfigError ? `${file}: ${err.message}` : `cannot read config file ${file}`);
  }
  if (config.journal.enabled && config.journal.storage === 'postgresql') {
    try {
      return { url: journalConnectionUrl(config) };
    } catch (err) {
      throw usageError(`${file}: ${(err as Error).message}`);
    }
  }
  const path = journalFileOf(config);
  if (!config.journal.enabled || path === ':memory:') throw usageError(`${file}: the configuration keeps no journal file (journal { path = "..." } or storage "sqlite")`);
  return { path };
}

/** The journal --journal or -config names; undefined when neither is given. */
export async function journalIfGiven(flags: JournalFileFlags): Promise<JournalLocation | undefined> {
  if (flags.journal !== undefined && flags.config !== undefined) throw usageError('give either --journal or -config, not both');
  if (flags.journal !== undefined) return { path: flags.journal };
  if (flags.config !== undefined) return journalOfConfig(flags.config);
  return undefined;
}

/** The file --journal or -config names; undefined when neither is given. */
export async function journalFileIfGiven(flags: JournalFileFlags): Promise<string | undefined> {
  if (flags.journal !== undefined && flags.config !== undefined) throw usageError('give either --journal or -config, not both');
  if (flags.journal !== undefined) return flags.journal;
  if (flags.config !== undefined) return journalPathFromConfig(flags.config);
  return undefined;
}

export async function journalLocation(flags: JournalFileFlags): Promise<JournalLocation> {
  const where = await journalIfGiven(flags);
  if (where === undefined) throw usageError('give the journal database with --journal <file> or a server config with -config <file>');
  return where;
}

export async function journalFile(flags: JournalFileFlags): Promise<string> {
  const path = await journalFileIfGiven(flags);
  if (path === undefined) throw usageError('give the journal database with --journal <file> or a server config with -config <file>');
  return path;
}

/**
 * Checks the file an import writes before anything opens it, since opening creates what is
 * missing: a directory given for the journal (a data directory for its journal.db) is refused
 * rather than silently skipped as the journal's own; an existing file must be a journal (another
 * SQLite database, the server's storage say, would get the journal's tables); a new journal is
 * created only in a directory that exists, so a mistyped path fails instead of making a journal
 * nobody reads. A server configuration's path may lack its directories, as the server creates
 * them. Returns whether the journal is new.
 */
export async function checkImportTarget(path: string, opts: { createDirectories: boolean }): Promise<{ created: boolean }> {
  return onFile(path, async () => {
    const info = await stat(path).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return undefined;
      throw err;
    });
    if (info === undefined) {
      const parent = dirname(resolve(path));
      if (!opts.createDirectories && !(await stat(parent).catch(() => undefined))?.isDirectory()) {
        throw usageError(`${path}: no directory ${parent}: a new journal is created only in an existing directory`);
      }
      return { created: true };
    }
    refuseNonFile(path, info);
    if (info.size > 0) await assertJournal(path);
    return { created: false };
  });
}

/** A directory (a data directory, for its journal.db) or anything else that is not a regular file, refused in one line. */
function refuseNonFile(path: string, info: Stats): void {
  if (info.isDirectory()) {
    const inside = join(path, 'journal.db');
    throw usageError(`${path} is a directory: give the journal's database file${existsSync(inside) ? ` (${inside}?)` : ''}`);
  }
  if (!info.isFile()) throw usageError(`${path} is not a regular file: give the journal's database file`);
}

/**
 * Checks a journal file a command only reads (export, ledger verify --journal) before SQLite
 * opens it: SQLite calls a directory a "disk I/O error", and its open of a FIFO waits for a
 * writer for good. A file that is not there is left to the opener to name.
 */
export async function checkJournalFile(path: string): Promise<void> {
  const info = await stat(path).catch(() => undefined);
  if (info) refuseNonFile(path, info);
}

/** An existing file is a journal: read-only, so the check changes nothing whatever the file is. */
export async function assertJournal(path: string): Promise<void> {
  // Loaded on demand: the journal (SQLite) is server code, which other commands should not load.
  const { openJournalFileRecords } = await import('../../journal/index.js');
  try {
    openJournalFileRecords(path).close();
  } catch (err) {
    const e = err as { code?: unknown; message?: unknown };
    // Another SQLite database: it opens, and has no records table.
    if (e.code === 'SQLITE_ERROR' && typeof e.message === 'string' && e.message.startsWith('no such table')) {
      throw new CliExit(EXIT_LOCAL, `sealtrail: ${path} is not a Sealtrail journal`);
    }
    throw new CliExit(EXIT_LOCAL, localFailure(err, path) ?? `sealtrail: ${path}: ${String(e.message)}`);
  }
}
