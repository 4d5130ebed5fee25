/** `sealtrail operator init | unseal | rekey | seal`, and `sealtrail status`. */
import type { Command } from 'commander';
import type { RekeyResult, RekeyStatus, SealStatus } from '../../sdk/index.js';
import type { CliContext } from '../context.js';
import { registerDiagnose } from './diagnose.js';
import { CliExit, EXIT_LOCAL, EXIT_OK, EXIT_REMOTE, remote, textList, usageError, wrongAnswer } from '../failure.js';
import { parseIntFlag } from '../flags.js';
import { MAX_UNSEAL_KEY_INPUT_BYTES, readStdinText } from '../input-limits.js';
import type { Output } from '../output.js';
import { printable } from '../printable.js';
import { columnize } from '../table.js';

/** vault's OutputSealStatus rows; fields the server does not report are left out. */
export function sealStatusTable(s: SealStatus): string {
  const rows: string[][] = [['Key', 'Value'], ['---', '-----']];
  rows.push(['Seal Type', s.type], ['Initialized', String(s.initialized)], ['Sealed', String(s.sealed)]);
  rows.push(['Total Shares', String(s.n)], ['Threshold', String(s.t)]);
  if (s.sealed) rows.push(['Unseal Progress', `${s.progress}/${s.t}`], ['Unseal Nonce', s.nonce]);
  if (s.migration) rows.push(['Seal Migration in Progress', 'true']);
  rows.push(['Version', s.version]);
  if (s.build_date) rows.push(['Build Date', s.build_date]);
  if (s.storage_type) rows.push(['Storage Type', s.storage_type]);
  if (s.cluster_name && s.cluster_id) rows.push(['Cluster Name', s.cluster_name], ['Cluster ID', s.cluster_id]);
  return columnize(rows);
}

/** A value of a server's answer on a line of text: escaped, and empty when it is missing. */
const shown = (value: unknown) => printable(value === undefined || value === null ? '' : String(value));

/** vault's rekey status rows. */
function rekeyStatusTable(s: RekeyStatus): string {
  const rows: string[][] = [['Key', 'Value'], ['---', '-----']];
  rows.push(['Nonce', s.nonce], ['Started', String(s.started)], ['Rekey Progress', `${s.progress}/${s.required}`]);
  rows.push(['New Shares', String(s.n)], ['New Threshold', String(s.t)], ['Verification Required', String(s.verification_required)]);
  if (s.verification_nonce) rows.push(['Verification Nonce', s.verification_nonce]);
  return columnize(rows);
}

function printRekeyStatus(out: Output, status: RekeyStatus): void {
  if (out.format === 'json') out.json(status);
  else out.line(rekeyStatusTable(status));
}

function printRekeyResult(out: Output, result: RekeyResult): void {
  if (out.format === 'json') {
    out.json(result);
    return;
  }
  result.keys_base64.forEach((key, i) => out.line(`Key ${i + 1}: ${shown(key)}`));
  out.line();
  out.line(`Operation nonce: ${shown(result.nonce)}`);
  out.line();
  const n = result.keys_base64.length;
  if (result.verification_required) {
    out.line(`Sealtrail has created ${n} new key shares. They are not in force until a quorum of them`);
    out.line('is given back: each holder runs `sealtrail operator rekey -verify` with the verification');
    out.line(`nonce ${shown(result.verification_nonce)} and their new share. Until then the old shares unseal.`);
  } else {
    out.line(`Sealtrail rekeyed with ${n} key shares. Please securely distribute the key shares printed`);
    out.line('above. When Sealtrail is re-sealed, restarted, or stopped, you must supply the new threshold');
    out.line('of these keys to unseal it before it can start servicing requests. The old shares open nothing.');
  }
}

/** A key share (`what`) from the argument, or stdin when it is omitted or "-". */
async function shareArgument(ctx: CliContext, key: string | undefined, what: string, usage: string): Promise<string> {
  let share = key;
  if (share === undefined || share === '-') {
    if (ctx.io.stdinIsTty) throw usageError(`${what} is required: ${usage}, or pipe it on stdin`);
    share = (await readStdinText(ctx.io, MAX_UNSEAL_KEY_INPUT_BYTES)).trim();
  }
  if (share === '') throw usageError(`${what} is required`);
  return share;
}

interface RekeyFlags { init?: boolean; cancel?: boolean; status?: boolean; verify?: boolean; nonce?: string; keyShares?: string; keyThreshold?: string; pgpKeys?: string; backup?: boolean; target?: string }

/**
 * `sealtrail operator rekey`, with vault's flags: `-init` (with `-key-shares`, `-key-threshold`,
 * `-verify`), `-status`, `-cancel`, and without them one share (from the argument or stdin) for the
 * attempt in progress (`-nonce`, read from the status when omitted); with `-verify`, one new share
 * given back for the verification.
 */
function registerRekey(operator: Command, ctx: CliContext): void {
  operator
    .command('rekey')
    .description('Replace the unseal key and its shares with a quorum of the current ones (requires a token with sudo on sys/rekey/*)')
    .argument('[key]', 'a current key share (a new one with -verify); omit it to read the key from stdin')
    .option('--init', 'start a rekey (with -key-shares and -key-threshold)')
    .option('--cancel', 'cancel the rekey in progress (with -verify: start its verification over)')
    .option('--status', 'print the status of the rekey in progress')
    .option('--verify', 'with -init: require the new shares to be given back before they are in force; otherwise: give one back')
    .option('--nonce <nonce>', 'the nonce of the rekey (or of its verification), read from the status when omitted')
    .option('--key-shares <n>', 'number of new key shares (default 5)')
    .option('--key-threshold <n>', 'number of new shares needed to unseal (default 3)')
    .option('--pgp-keys <keys>', 'not supported: the new shares are never encrypted by the server')
    .option('--backup', 'not supported: the new shares are never stored')
    .option('--target <target>', 'the keys to rekey: barrier (the unseal key shares; recovery keys do not exist here)', 'barrier')
    .action(async (key: string | undefined, flags: RekeyFlags) => {
      const out = ctx.output();
      if (flags.target !== 'barrier') throw usageError(`-target must be "barrier": there are no recovery keys (got "${flags.target}")`);
      if (flags.pgpKeys !== undefined || flags.backup) throw usageError('-pgp-keys and -backup are not supported: the new shares are printed, never encrypted or stored by the server');
      const modes = [flags.init, flags.cancel, flags.status].filter(Boolean).length;
      if (modes > 1) throw usageError('only one of -init, -cancel and -status may be given');
      if (modes === 1 && key !== undefined) throw usageError('Too many arguments (expected 0 with -init, -cancel or -status, got 1)');
      const client = await ctx.client();
      const rekey = client.sys.rekey;

      if (flags.status) {
        if (flags.verify) {
          const v = await remote('reading the rekey verification status', () => rekey.verifyStatus());
          if (out.format === 'json') out.json(v);
          else out.line(columnize([['Key', 'Value'], ['---', '-----'], ['Nonce', v.nonce], ['Started', String(v.started)], ['Verification Progress', `${v.progress ?? 0}/${v.t ?? 0}`], ['New Shares', String(v.n ?? 0)], ['New Threshold', String(v.t ?? 0)]]));
          return;
        }
        printRekeyStatus(out, await remote('reading the rekey status', () => rekey.status()));
        return;
      }
      if (flags.cancel) {
        if (flags.verify) {
          const v = await remote('restarting the rekey verification', () => rekey.verifyCancel());
          out.line(`Success! The rekey verification starts over with the nonce ${shown(v.nonce)}.`);
          return;
        }
        await remote('cancelling the rekey', () => rekey.cancel());
        out.line('Success! Canceled rekeying (if it was started)');
        return;
      }
      if (flags.init) {
        const shares = parseIntFlag('key-shares', flags.keyShares ?? '5') as number;
        const threshold = parseIntFlag('key-threshold', flags.keyThreshold ?? '3') as number;
        printRekeyStatus(out, await remote('starting the rekey', () => rekey.init({ secret_shares: shares, secret_threshold: threshold, require_verification: flags.verify === true })));
        return;
      }

      const share = await shareArgument(ctx, key, 'a key share', flags.verify ? 'sealtrail operator rekey -verify <new key>' : 'sealtrail operator rekey <key>');
      if (flags.verify) {
        const nonce = flags.nonce ?? (await remote('reading the rekey verification status', () => rekey.verifyStatus())).nonce;
        if (nonce === '') throw new CliExit(EXIT_REMOTE, 'Error verifying the new key shares: no rekey verification in progress');
        const v = await remote('verifying the new key shares', () => rekey.verify(share, nonce));
        if (v.complete) {
          if (out.format === 'json') out.json(v);
          else out.line(`Success! Rekey verification was successful and is complete. The new key shares are in force (nonce ${shown(v.nonce)}).`);
          return;
        }
        if (out.format === 'json') out.json(v);
        else out.line(`Verification progress: ${v.progress ?? 0}/${v.t ?? 0} (nonce ${shown(v.nonce)})`);
        return;
      }
      const nonce = flags.nonce ?? (await remote('reading the rekey status', () => rekey.status())).nonce;
      if (nonce === '') throw new CliExit(EXIT_REMOTE, 'Error rekeying: no rekey in progress; start one with sealtrail operator rekey -init');
      const result = await remote('rekeying', () => rekey.update(share, nonce));
      if ('complete' in result && result.complete) printRekeyResult(out, result);
      else printRekeyStatus(out, result as RekeyStatus);
    });
}

function printSealStatus(out: Output, status: SealStatus): void {
  if (out.format === 'json') out.json(status);
  else out.line(sealStatusTable(status));
}

export function registerOperator(program: Command, ctx: CliContext): void {
  const operator = program.command('operator').description('Perform operator-specific tasks');

  operator
    .command('init')
    .description('Initialize a server: create the unseal key shares and the initial root token')
    .option('--key-shares <n>', 'number of unseal key shares to create (default 5; 1 with seal "file")')
    .option('--key-threshold <n>', 'number of shares needed to unseal (default 3; 1 with seal "file")')
    .option('--status', 'only report whether the server is initialized (exit 0: yes, 2: no)')
    .action(async (flags: { keyShares?: string; keyThreshold?: string; status?: boolean }) => {
      const out = ctx.output();
      const client = await ctx.anonymousClient();
      if (flags.status) {
        const initialized = await remote('checking initialization status', () => client.sys.initStatus());
        out.line(initialized ? 'Sealtrail is initialized' : 'Sealtrail is not initialized');
        throw new CliExit(initialized ? EXIT_OK : EXIT_REMOTE);
      }
      // Neither flag: the server picks (5/3, or 1/1 when it unseals from a key file).
      let request: { secret_shares: number; secret_threshold: number } | undefined;
      if (flags.keyShares !== undefined || flags.keyThreshold !== undefined) {
        const shares = parseIntFlag('key-shares', flags.keyShares ?? '5') as number;
        const threshold = parseIntFlag('key-threshold', flags.keyThreshold ?? '3') as number;
        if (shares < 1 || threshold < 1 || threshold > shares) {
          throw usageError('-key-threshold must be between 1 and -key-shares, and -key-shares at least 1');
        }
        request = { secret_shares: shares, secret_threshold: threshold };
      }
      const result = await remote('initializing', async () => {
        const answer = await client.sys.init(request);
        textList(answer?.keys_base64, 'key shares');
        if (typeof answer.root_token !== 'string') throw wrongAnswer('has no root token');
        return answer;
      });
      const shares = result.keys_base64.length;
      const threshold = request?.secret_threshold ?? (await remote('reading the seal status', () => client.sys.sealStatus())).t;
      if (out.format === 'json') {
        // vault's machine-readable init output (recovery keys do not apply: Shamir seal only)
        out.json({
          unseal_keys_b64: result.keys_base64, unseal_keys_hex: result.keys, unseal_shares: shares, unseal_threshold: threshold,
          recovery_keys_b64: [], recovery_keys_hex: [], recovery_keys_shares: 0, recovery_keys_threshold: 0, root_token: result.root_token,
        });
        return;
      }
      result.keys_base64.forEach((key, i) => out.line(`Unseal Key ${i + 1}: ${shown(key)}`));
      out.line();
      out.line(`Initial Root Token: ${shown(result.root_token)}`);
      out.line();
      out.line(`Sealtrail initialized with ${shares} key shares and a key threshold of ${threshold}. Please`);
      out.line('securely distribute the key shares printed above. When Sealtrail is re-sealed,');
      out.line(`restarted, or stopped, you must supply at least ${threshold} of these keys to unseal it`);
      out.line('before it can start servicing requests.');
    });

  operator
    .command('unseal')
    .description('Provide one unseal key share (from the argument, or stdin when omitted)')
    .argument('[key]', 'an unseal key share; omit it to read the key from stdin')
    .option('--reset', 'discard the key shares provided so far')
    .action(async (key: string | undefined, flags: { reset?: boolean }) => {
      const out = ctx.output();
      const client = await ctx.anonymousClient();
      if (flags.reset) {
        if (key !== undefined) throw usageError('Too many arguments (expected 0 with -reset, got 1)');
        printSealStatus(out, await remote('resetting unseal process', () => client.sys.unseal({ reset: true })));
        return;
      }
      const unsealKey = await shareArgument(ctx, key, 'an unseal key', 'sealtrail operator unseal <key>');
      printSealStatus(out, await remote('unsealing', () => client.sys.unseal(unsealKey)));
    });

  registerRekey(operator, ctx);
  registerDiagnose(operator, ctx);

  operator
    .command('seal')
    .description('Seal the server (requires a token with sudo on sys/seal)')
    .action(async () => {
      const client = await ctx.client();
      await remote('sealing', () => client.sys.seal());
      ctx.output().line('Success! Sealtrail is sealed.');
    });

  program
    .command('status')
    .description('Print the seal status (exit 0: unsealed, 1: error, 2: sealed)')
    .action(async () => {
      const out = ctx.output();
      // vault returns 1 (not 2) when the status cannot be read, or its client not made (a bad TLS
      // file), so 2 can only mean "sealed".
      const client = await ctx.client().catch((err: unknown) => {
        throw err instanceof CliExit ? new CliExit(EXIT_LOCAL, err.message) : err;
      });
      const status = await remote('checking seal status', () => client.sys.sealStatus(), EXIT_LOCAL);
      printSealStatus(out, status);
      if (status.sealed) throw new CliExit(EXIT_REMOTE);
    });
}
