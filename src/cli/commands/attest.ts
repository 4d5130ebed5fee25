/**
 * `sealtrail attest verify --platform nitro [--at <time>] [--root <pem>] <file>`: verifies an
 * attestation document offline, exactly as the server would, and prints its claims. The file may
 * hold the raw CBOR, or its hex or base64 text. The AWS Nitro root is trusted unless
 * --no-aws-root; --root adds more (e.g. a dev-enclave root.pem). Without --max-age the evidence
 * age is not limited (an offline check usually looks at an old document); --at sets the time.
 */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { awsNitroRoot, createPlatformVerifiers, isPlatformName, PLATFORM_NAMES } from '../../attestation/index.js';
import { parseDurationSeconds } from '../../lib/time.js';
import { systemClock } from '../../lib/clock.js';
import type { CliContext } from '../context.js';
import { CliExit, EXIT_LOCAL, usageError } from '../failure.js';
import { collect } from '../flags.js';

interface VerifyFlags {
  platform: string;
  at?: string;
  root: string[];
  awsRoot: boolean;
  allowDebug?: boolean;
  maxAge?: string;
  nonce?: string;
}

/** Raw bytes, or hex / base64 text of them. */
export function evidenceBytes(file: Buffer): Uint8Array {
  const text = file.toString('latin1').trim();
  if (/^(?:[0-9a-fA-F]{2})+$/.test(text)) return Buffer.from(text, 'hex');
  if (/^[A-Za-z0-9+/\s]+={0,2}$/.test(text) && text.length % 4 === 0) return Buffer.from(text, 'base64');
  return file;
}

/** `--at`: ms since the epoch or an RFC 3339 time. */
export function parseAt(value: string): number {
  const ms = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isFinite(ms)) throw usageError('--at must be ms since the epoch or an RFC 3339 time');
  return ms;
}

const hex = (b: Uint8Array | null) => (b === null ? null : Buffer.from(b).toString('hex'));

export function registerAttest(program: Command, ctx: CliContext): void {
  const attest = program.command('attest').description('Attestation documents');
  attest
    .command('verify')
    .description('Verify an attestation document offline and print its claims')
    .argument('<file>', 'the document: CBOR, hex or base64')
    .option('--platform <name>', `attestation platform (${PLATFORM_NAMES.join(', ')})`, 'nitro')
    .option('--at <time>', 'verification time: ms since the epoch or RFC 3339 (default now)')
    .option('--root <pem-file>', 'an additional trusted root (repeatable)', collect, [])
    .option('--no-aws-root', 'do not trust the AWS Nitro root')
    .option('--allow-debug', 'accept debug-mode evidence')
    .option('--max-age <duration>', 'refuse evidence older than this, e.g. 5m')
    .option('--nonce <base64>', 'the nonce the document must carry')
    .action(async (file: string, flags: VerifyFlags) => {
      if (!isPlatformName(flags.platform)) throw usageError(`unsupported platform "${flags.platform}"`);
      const roots = [...(flags.awsRoot ? [awsNitroRoot().toString()] : []), ...(await Promise.all(flags.root.map((f) => readFile(f, 'utf8'))))];
      const maxAge = flags.maxAge === undefined ? undefined : parseDurationSeconds(flags.maxAge);
      if (flags.maxAge !== undefined && maxAge === undefined) throw usageError('--max-age must be a duration, e.g. 5m');
      const result = createPlatformVerifiers()[flags.platform].verify(evidenceBytes(await readFile(file)), {
        trustedRoots: roots,
        now: flags.at !== undefined ? parseAt(flags.at) : systemClock.now(),
        maxAgeMs: maxAge === undefined ? Infinity : maxAge * 1000,
        allowDebug: flags.allowDebug === true,
        ...(flags.nonce !== undefined ? { expectedNonce: Buffer.from(flags.nonce, 'base64') } : {}),
      });
      if (!result.ok) throw new CliExit(EXIT_LOCAL, `Verification failed (${result.code}): ${result.message}`);
      const c = result.claims;
      const out = ctx.output();
      const claims: Record<string, unknown> = {
        platform: c.platform, signer_id: c.signerId, enclave_id: c.enclaveId, debug: c.debug,
        timestamp: new Date(c.timestamp).toISOString(), nonce: hex(c.nonce), public_key: hex(c.publicKey), user_data: hex(c.userData),
      };
      if ('moduleId' in c) claims.module_id = c.moduleId;
      if (out.format === 'json') return out.json({ ...claims, measurements: c.measurements });
      out.map({ ...claims, ...Object.fromEntries(Object.entries(c.measurements).map(([k, v]) => [`pcr${k.padStart(2, '0')}`, v])) });
    });
}
