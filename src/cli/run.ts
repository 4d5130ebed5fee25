/**
 * Runs one CLI invocation and returns its exit code (see failure.ts for the codes). Nothing here
 * calls process.exit, so tests run commands in-process with a fake io.
 */
import { CommanderError, type Command } from 'commander';
import { preprocessArgv } from './argv.js';
import { createContext, type CliContext } from './context.js';
import { EXIT_LOCAL, EXIT_OK, EXIT_UNKNOWN_COMMAND, exitFor } from './failure.js';
import type { CliIo } from './io.js';
import { printableLines } from './printable.js';
import { buildProgram, flagKinds } from './program.js';
import { WrappedAnswer, printWrapped } from './wrapping.js';

export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let ctx: CliContext | undefined;
  const program = buildProgram(io, (globals) => (ctx = createContext(io, globals)));
  const args = preprocessArgv(argv, flagKinds(program));
  // The command that runs, for the -field a wrapped answer is printed with.
  let command: Command | undefined;
  program.hook('preAction', (_program, action) => { command = action; });
  try {
    try {
      await program.parseAsync(args, { from: 'user' });
    } catch (err) {
      if (!(err instanceof WrappedAnswer) || !ctx) throw err;
      printWrapped(ctx.output(), err.answer, command?.opts<{ field?: string }>().field, io.stdoutIsTty);
    }
    return EXIT_OK;
  } catch (err) {
    if (err instanceof CommanderError) return commanderExit(err);
    const { exitCode, message } = exitFor(err);
    // Messages quote flag values, file names and servers' words: none may drive the terminal.
    if (message !== '') io.stderr(printableLines(message) + '\n');
    return exitCode;
  } finally {
    await ctx?.close();
  }
}

/** Commander already printed its message; only the code is ours to choose. */
function commanderExit(err: CommanderError): number {
  switch (err.code) {
    case 'commander.helpDisplayed':
    case 'commander.version':
      return EXIT_OK;
    case 'commander.unknownCommand':
      return EXIT_UNKNOWN_COMMAND; // mitchellh/cli, which vault uses, answers 127
    default:
      // bad flags, missing or excess arguments, a group named without a subcommand (help shown)
      return err.exitCode === 0 ? EXIT_OK : EXIT_LOCAL;
  }
}
