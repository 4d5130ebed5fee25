/** `sealtrail operator init | unseal | seal`, and `sealtrail status`. */
import type { Command } from 'commander';
import type { SealStatus } from '../../sdk/index.js';
import type { CliContext } from '../context.js';
import { registerDiagnose } from './diagnose.js';
import { CliExit, EXIT_LOCAL, EXIT_OK, EXIT_REMOTE, remote, usageError } from '../failure.js';
import { parseIntFlag } from '../flags.js';
import { MAX_UNSEAL_KEY_INPUT_BYTES, readStdinText } from '../input-limits.js';
import type { Output } from '../output.js';
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
      const result = await remote('initializing', () => client.sys.init(request));
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
      result.keys_base64.forEach((key, i) => out.line(`Unseal Key ${i + 1}: ${key}`));
      out.line();
      out.line(`Initial Root Token: ${result.root_token}`);
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
      let share = key;
      if (share === undefined || share === '-') {
        if (ctx.io.stdinIsTty) throw usageError('an unseal key is required: sealtrail operator unseal <key>, or pipe it on stdin');
        share = (await readStdinText(ctx.io, MAX_UNSEAL_KEY_INPUT_BYTES)).trim();
      }
      if (share === '') throw usageError('an unseal key is required');
      const unsealKey = share;
      printSealStatus(out, await remote('unsealing', () => client.sys.unseal(unsealKey)));
    });

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
