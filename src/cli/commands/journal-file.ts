/**
 * The journal database a command reads or writes directly (import, export from the file): given
 * with --journal <file>, or the `journal { ... }` block of a server configuration given with
 * -config — its file, or its PostgreSQL database with `storage = "postgresql"`.
 */
import { ConfigError, journalConnectionUrl, journalPath as journalFileOf, loadConfigFile, type ServerConfig } from '../../config/index.js';
import { usageError } from '../failure.js';

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
