/**
 * `sealtrail ledger`: the journal's tamper-evident log (docs/ledger.md), from outside the server —
 *   sealtrail ledger checkpoint > cp.txt                   the current signed checkpoint, verbatim
 *   sealtrail ledger key                                   the log's verifier key, as the server says
 *   sealtrail ledger prove <seq> | --request-id <id> [-o bundle.json]
 *   sealtrail ledger verify-bundle bundle.json --key <vkey>
 *   sealtrail ledger verify --url <server or prefix> | --dir <dir> --key <vkey> [--since cp.txt] [--journal db]
 * Exit codes: 0 verified, 1 local error (bad flags, unreadable file), 2 remote error (no answer,
 * an error status), 3 verification failed (the reason on stderr, one line per finding).
 */
import type { Command } from 'commander';
import { CHECKPOINT_PATH } from '../../ledger/index.js';
import type { CliContext } from '../context.js';
import { CliExit, EXIT_REMOTE, EXIT_VERIFY_FAILED, remote } from '../failure.js';
import { MAX_BUNDLE_BYTES, readInputText } from '../input-limits.js';
import { parseProofBundle, verifyProofBundle } from '../ledger-bundle.js';
import { loadVerifierKey } from '../ledger-input.js';
import { printable, printableText } from '../printable.js';
import { serverLog } from '../ledger-server.js';
import { registerLedgerProve } from './ledger-prove.js';
import { registerLedgerVerify } from './ledger-verify.js';

export function registerLedger(program: Command, ctx: CliContext): void {
  const ledger = program.command('ledger').description("The journal's tamper-evident log: checkpoints, proofs, verification");

  ledger
    .command('checkpoint')
    .description("Print the log's current signed checkpoint, verbatim (save it for verify --since)")
    .action(async () => {
      const { fetch } = await serverLog(ctx);
      const note = await fetch(CHECKPOINT_PATH).catch((err: Error) => {
        throw new CliExit(EXIT_REMOTE, `Error reading the checkpoint: ${printable(err.message)}`);
      });
      // Verbatim when it is a note (text lines); anything a terminal would act on is escaped.
      ctx.io.stdout(printableText(Buffer.from(note).toString('utf8')));
    });

  ledger
    .command('key')
    .description("Print the log's verifier key as the server gives it (compare it with one obtained out of band)")
    .action(async () => {
      const client = await ctx.client();
      const answer = await remote('reading the ledger key', () => client.read<{ verifier_key?: unknown }>('sys/ledger/key'));
      const key = answer?.data?.verifier_key;
      if (typeof key !== 'string') throw new CliExit(EXIT_REMOTE, 'Error reading the ledger key: the server has no ledger key');
      ctx.io.stdout(`${printable(key)}\n`);
    });

  registerLedgerProve(ledger, ctx);

  ledger
    .command('verify-bundle')
    .description('Check a proof bundle offline: the checkpoint signature, the record against its entry, the inclusion proof')
    .argument('<file>', 'the bundle (from ledger prove), or - for stdin')
    .requiredOption('--key <vkey>', "the log's verifier key (name+id+key) or a file holding it")
    .action(async (file: string, flags: { key: string }) => {
      const key = await loadVerifierKey(flags.key);
      const parsed = parseProofBundle(await readInputText(ctx.io, file, MAX_BUNDLE_BYTES));
      if (typeof parsed === 'string') throw new CliExit(EXIT_VERIFY_FAILED, `FAILED: ${parsed}`);
      const verdict = verifyProofBundle(parsed, key);
      if (!verdict.ok) throw new CliExit(EXIT_VERIFY_FAILED, `FAILED: ${verdict.reason}`);
      ctx.io.stdout(`OK: ${verdict.summary}\n`);
    });

  registerLedgerVerify(ledger, ctx);
}
