/**
 * `sealtrail operator diagnose -config=<file>`: checks a server configuration without starting a
 * server (Vault has the same command) — that it parses, that every value is valid, that a
 * production server has what it needs, and that the files and directories it names are usable.
 * Each problem is printed as `file:line: message`; exit 0 when a server would start on it.
 */
import type { Command } from 'commander';
import { ConfigError, DEV_LISTEN_ADDRESS, parseConfig, readConfigText, type ConfigProblem, environmentProblems, type ServerConfig } from '../../config/index.js';
import type { CliContext } from '../context.js';
import { CliExit, EXIT_LOCAL, onFile, usageError } from '../failure.js';

export function registerDiagnose(operator: Command, ctx: CliContext): void {
  operator
    .command('diagnose')
    .description('Check a server configuration file without starting the server')
    .option('--config <file>', 'path to an HCL or JSON configuration file')
    .option('--dev', 'check it as `server -dev -config` would use it')
    .action(async (flags: { config?: string; dev?: boolean }) => {
      if (!flags.config) throw usageError('Must specify a config path using -config');
      const out = ctx.output();
      const file = flags.config;
      const text = await readConfig(file);
      let config: ServerConfig | undefined;
      let problems: readonly ConfigProblem[];
      try {
        config = await parseConfig(text, file);
        // The audit devices' checks live with the server (app/), loaded only for this command.
        const { configurationProblems } = await import('../../app/index.js');
        problems = [...configurationProblems(config, { dev: flags.dev === true }), ...await environmentProblems(config)];
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
        problems = err.problems;
      }
      if (out.format === 'json') {
        out.json({ file, ok: problems.length === 0, problems: problems.map((p) => ({ ...p, line: lineOf(text, p.key) })) });
      } else {
        for (const p of problems) {
          const line = lineOf(text, p.key);
          // Parse errors already name the file, line and column.
          out.line(p.message.startsWith(`${file}:`) ? p.message : `${file}${line ? `:${line}` : ''}: ${p.message}`);
        }
        if (problems.length === 0) out.line(`${file}: ok (${summary(config!, flags.dev === true)})`);
      }
      if (problems.length > 0) throw new CliExit(EXIT_LOCAL);
    });
}

/**
 * The file's text, read as the server reads it (config/load.ts): a FIFO, a pipe, a device or a
 * file over 1 MiB is refused at once with the server's words; a missing or unreadable file is one
 * line naming it, as for every file the CLI reads.
 */
async function readConfig(file: string): Promise<string> {
  try {
    return await onFile(file, () => readConfigText(file));
  } catch (err) {
    if (err instanceof ConfigError) throw usageError(`sealtrail: ${err.message}`);
    throw err;
  }
}

/** The line where a top-level key or block is written (HCL or JSON), if the file has it. */
export function lineOf(text: string, key: string | undefined): number | undefined {
  if (!key) return undefined;
  const hcl = new RegExp(`^\\s*${key}\\b`);
  const json = new RegExp(`^\\s*"${key}"\\s*:`);
  const index = text.split('\n').findIndex((l) => hcl.test(l) || json.test(l));
  return index < 0 ? undefined : index + 1;
}

function summary(config: ServerConfig, dev: boolean): string {
  const tls = config.listener.tlsDisable ? 'TLS off' : 'TLS';
  // Dev mode puts a SQLite store of its own in place of the file's (app/run.ts), where the server's
  // -dev-data-dir says, and listens where -dev-listen-address says, else at the file's address:
  // only that much is known here.
  const listener = !dev ? `${config.listener.address} (${tls})`
    : config.declared.listener ? `${config.listener.address} unless -dev-listen-address is given (${tls})`
      : `-dev-listen-address (${DEV_LISTEN_ADDRESS} unless given, ${tls})`;
  const storage = dev ? 'sqlite under -dev-data-dir (a temporary directory unless given)'
    : config.storage.type === 'sqlite' ? `sqlite at ${config.storage.path}` : config.storage.type;
  const trails = config.trails.map(trailDestination);
  return `listener ${listener}, storage ${storage}, ${config.audit.length} audit device(s), ${config.trails.length} trail(s)${trails.length ? ` (${trails.join(', ')})` : ''}`;
}

/** Where a trail delivers; an S3 endpoint is named but not contacted (diagnose works offline). */
function trailDestination(t: ServerConfig['trails'][number]): string {
  const key = t.prefix ? `${t.bucket}/${t.prefix}` : t.bucket;
  if (t.s3) return `${t.name} → s3://${key}${t.s3.endpoint ? ` at ${t.s3.endpoint}` : ''}`;
  return `${t.name} → ${t.directory}/${t.bucket}`;
}
