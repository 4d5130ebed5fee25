/**
 * The command tree. Global flags (`-address`, `-format`, `-wrap-ttl`, the TLS flags) are accepted anywhere on
 * the line, as commander recognises program options after the subcommand too.
 */
import { Command, Option } from 'commander';
import type { CliContext, GlobalOptions } from './context.js';
import type { FlagKinds } from './argv.js';
import { registerApm } from './commands/apm.js';
import { registerAttest } from './commands/attest.js';
import { registerAudit } from './commands/audit.js';
import { boundedCapsuleIo, registerCapsuleCommands } from './commands/capsule.js';
import { registerDevEnclave } from './commands/dev-enclave.js';
import { registerAuth } from './commands/auth.js';
import { registerGeneric } from './commands/generic.js';
import { registerJournal } from './commands/journal.js';
import { registerLedger } from './commands/ledger.js';
import { registerKv } from './commands/kv.js';
import { registerLogin } from './commands/login.js';
import { registerOperator } from './commands/operator.js';
import { registerPolicy } from './commands/policy.js';
import { registerSecrets } from './commands/secrets.js';
import { registerServer } from './commands/server.js';
import { registerToken } from './commands/token.js';
import { registerTrail } from './commands/trail.js';
import type { CliIo } from './io.js';
import { printableLines } from './printable.js';
import { VERSION } from '../lib/version.js';

/** Each group is one file under commands/; adding a group is one line here. */
const GROUPS: ReadonlyArray<(program: Command, ctx: CliContext) => void> = [
  registerServer, registerOperator, registerLogin, registerToken, registerPolicy,
  registerSecrets, registerAuth, registerKv, registerAudit, registerGeneric,
  registerApm, registerDevEnclave, registerAttest, registerTrail, registerJournal, registerLedger,
  // The run's io, not the process's: output and stdin must go where runCli's caller says.
  (program, ctx) => registerCapsuleCommands(program, () => ctx.client(), boundedCapsuleIo((text) => ctx.io.stdout(text), ctx.io, ctx.io.stdoutIsTty)),
];

export function buildProgram(io: CliIo, makeContext: (globals: () => GlobalOptions) => CliContext): Command {
  const program = new Command('sealtrail')
    .description('Sealtrail: an audit-first, Vault-compatible secrets broker')
    .addOption(new Option('--address <url>', 'server address (env SEALTRAIL_ADDR, then VAULT_ADDR; default http://127.0.0.1:8200)'))
    .addOption(new Option('--format <format>', 'output format: table or json (env SEALTRAIL_FORMAT, then VAULT_FORMAT)'))
    .addOption(new Option('--wrap-ttl <duration>', 'ask the server to wrap the answer in a single-use token living this long, e.g. 5m; unwrap it with `sealtrail unwrap` (env SEALTRAIL_WRAP_TTL, then VAULT_WRAP_TTL)'))
    // vault's TLS flags (tls-settings.ts): each wins over its SEALTRAIL_ variable, then VAULT_'s.
    .addOption(new Option('--ca-cert <file>', 'PEM file of CA certificates to verify the server with, in place of the bundled roots (env SEALTRAIL_CACERT, then VAULT_CACERT)'))
    .addOption(new Option('--ca-path <dir>', 'directory of PEM CA certificates, used when no -ca-cert is given (env SEALTRAIL_CAPATH, then VAULT_CAPATH)'))
    .addOption(new Option('--client-cert <file>', 'PEM client certificate, for servers that ask for one (env SEALTRAIL_CLIENT_CERT, then VAULT_CLIENT_CERT)'))
    .addOption(new Option('--client-key <file>', 'PEM private key of -client-cert (env SEALTRAIL_CLIENT_KEY, then VAULT_CLIENT_KEY)'))
    .addOption(new Option('--tls-server-name <name>', 'name to send as SNI and to verify in the server\'s certificate (env SEALTRAIL_TLS_SERVER_NAME, then VAULT_TLS_SERVER_NAME)'))
    .addOption(new Option('--tls-skip-verify', 'do not verify the server\'s certificate: insecure (env SEALTRAIL_SKIP_VERIFY, then VAULT_SKIP_VERIFY)'))
    // `-tls-skip-verify=false` overrides a variable that says true.
    .addOption(new Option('--no-tls-skip-verify').hideHelp())
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput(outputOf(io));
  // As `vault version`. No global -version flag: `kv get -version=2` names a secret's version.
  program.command('version').description('Print the version').action(() => io.stdout(`Sealtrail v${VERSION}\n`));
  const ctx = makeContext(() => program.opts<GlobalOptions>());
  for (const register of GROUPS) register(program, ctx);
  // Subcommands inherit the error handling (exitOverride, output) of the program.
  forEachCommand(program, (cmd) => cmd.exitOverride().configureOutput(outputOf(io)));
  return program;
}

/** Where commander writes; its errors quote the arguments given (`unknown command '...'`). */
function outputOf(io: CliIo) {
  return { writeOut: (s: string) => io.stdout(s), writeErr: (s: string) => io.stderr(printableLines(s)) };
}

/** Boolean flags of the whole tree, for the argv pre-processor (`-local=false` etc.). */
export function flagKinds(program: Command): FlagKinds {
  const booleans = new Set<string>();
  const negatable = new Set<string>();
  const positive = new Set<string>();
  forEachCommand(program, (cmd) => {
    for (const option of cmd.options) {
      if (option.required || option.optional || !option.long) continue;
      const name = option.long.replace(/^--/, '');
      if (option.negate) {
        negatable.add(name);
        booleans.add(name.replace(/^no-/, ''));
      } else {
        booleans.add(name);
        positive.add(name);
      }
    }
  });
  return { booleans, negatable, positive };
}

function forEachCommand(cmd: Command, visit: (cmd: Command) => void): void {
  visit(cmd);
  for (const sub of cmd.commands) forEachCommand(sub, visit);
}
