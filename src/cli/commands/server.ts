/** `sealtrail server -config=<file> | -dev [...]`: runs the server until it closes. */
import type { Command } from 'commander';
import { CliExit, EXIT_LOCAL, usageError } from '../failure.js';
import type { CliContext } from '../context.js';

interface ServerFlags {
  config?: string;
  dev?: boolean;
  devRootTokenId?: string;
  devListenAddress?: string;
  devDataDir?: string;
  logLevel?: string;
}

export function registerServer(program: Command, _ctx: CliContext): void {
  program
    .command('server')
    .description('Start a Sealtrail server')
    .option('--config <file>', 'path to an HCL or JSON configuration file')
    .option('--dev', 'development mode: in-process storage under -dev-data-dir, initialized and unsealed, root token printed')
    .option('--dev-root-token-id <id>', 'root token id to use in dev mode')
    .option('--dev-listen-address <addr>', 'address to listen on in dev mode (default 127.0.0.1:8200)')
    .option('--dev-data-dir <dir>', 'dev mode data directory; data kept there survives a restart')
    .option('--log-level <level>', 'trace, debug, info, warn or error')
    .action(async (flags: ServerFlags) => {
      if (!flags.dev && !flags.config) throw usageError('Must specify a config path using -config, or -dev for development mode');
      // Loaded on demand: client commands should not pay for loading the server stack.
      const { runServer } = await import('../../app/index.js');
      let running: Awaited<ReturnType<typeof runServer>>;
      try {
        running = await runServer({
          configPath: flags.config,
          dev: flags.dev === true,
          devRootTokenId: flags.devRootTokenId,
          devListenAddress: flags.devListenAddress,
          devDataDir: flags.devDataDir,
          logLevel: flags.logLevel,
        });
      } catch (err) {
        // Startup errors (bad config, port in use) are the operator's to fix: message only, exit 1.
        throw new CliExit(EXIT_LOCAL, `Error starting the server: ${startFailureText(err)}`);
      }
      await running.closed;
    });
}

/**
 * What stopped the start, for the operator: the error's message, and for an internal error (a
 * disk full under the storage at unseal) what caused it, which "internal error" alone hides.
 */
export function startFailureText(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const causes: string[] = [];
  // A wrapper that kept its cause's message (ConfigDevicesNotEnabled) would say it twice.
  let said = err.message;
  for (let cause = err.cause, depth = 0; cause instanceof Error && depth < 4; cause = cause.cause, depth++) {
    if (cause.message === said) continue;
    said = cause.message;
    const code = (cause as NodeJS.ErrnoException).code;
    causes.push(typeof code === 'string' && !cause.message.includes(code) ? `${cause.message} (${code})` : cause.message);
  }
  return [err.message, ...causes].join(': ');
}
