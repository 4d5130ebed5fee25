/**
 * `sealtrail attest verify --platform nitro|snp|tdx|sgx [--at <time>] [--cert <file>]
 * [--collateral <json>] [--crl <file>] [--root <pem>] [--allow-debug] [--accept-tcb <s1,s2>]
 * [-format=json] <file>`: verifies attestation evidence offline, exactly as the server would, and
 * prints its claims. Nitro documents may be raw CBOR or its hex or base64 text; SNP reports and
 * DCAP quotes raw bytes or hex/base64 text too. The vendor's pinned roots are trusted unless
 * --no-vendor-root (--no-aws-root for Nitro); --root adds more. Without --max-age a Nitro
 * document's age is not limited (an offline check usually looks at an old document).
 *
 * Exit 0 when the evidence verifies and, for TDX and SGX, its TCB status is accepted (default
 * UpToDate, SWHardeningNeeded). A verified but unaccepted TCB still prints the claims, then fails.
 */
import type { Command } from 'commander';
import {
  createPlatformVerifiers, isPlatformName, isTcbStatus, parseDcapCollateral, vendorRoots, MAX_CRLS, MAX_SUPPLIED_CERTIFICATES, PLATFORM_NAMES, TCB_STATUSES,
  type AttestationClaims, type PlatformName, type TcbStatus, type VerifyOptions,
} from '../../attestation/index.js';
import { parseDurationSeconds } from '../../lib/time.js';
import { systemClock } from '../../lib/clock.js';
import type { CliContext } from '../context.js';
import { CliExit, EXIT_LOCAL, EXIT_VERIFY_FAILED, usageError } from '../failure.js';
import { collect } from '../flags.js';
import { printable } from '../printable.js';
import {
  MAX_CERTIFICATE_FILE_BYTES, MAX_COLLATERAL_FILE_BYTES, MAX_CRL_FILE_BYTES, MAX_EVIDENCE_FILE_BYTES, readFileText, readFileUpTo,
} from '../input-limits.js';

interface VerifyFlags {
  platform: string;
  at?: string;
  root: string[];
  cert: string[];
  crl: string[];
  collateral?: string;
  awsRoot: boolean;
  vendorRoot: boolean;
  allowDebug?: boolean;
  acceptTcb?: string;
  maxAge?: string;
  nonce?: string;
}

const DEFAULT_ACCEPTED: readonly TcbStatus[] = ['UpToDate', 'SWHardeningNeeded'];

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

function acceptedStatuses(value: string | undefined): readonly TcbStatus[] {
  if (value === undefined) return DEFAULT_ACCEPTED;
  const list = value.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (list.length === 0 || !list.every(isTcbStatus)) throw usageError(`--accept-tcb takes TCB statuses separated by commas (${TCB_STATUSES.join(', ')})`);
  return list as TcbStatus[];
}

async function collateralFile(path: string) {
  let doc: unknown;
  try {
    doc = JSON.parse(await readFileText(path, MAX_COLLATERAL_FILE_BYTES));
  } catch (err) {
    if (err instanceof SyntaxError) throw usageError('--collateral must be a JSON file (the DCAP collateral document)');
    throw err;
  }
  return parseDcapCollateral(doc);
}

async function verifyOptions(platform: PlatformName, flags: VerifyFlags): Promise<VerifyOptions> {
  if (platform !== 'snp' && (flags.cert.length > 0 || flags.crl.length > 0)) throw usageError('--cert and --crl apply to snp evidence');
  if (platform !== 'tdx' && platform !== 'sgx' && (flags.collateral !== undefined || flags.acceptTcb !== undefined)) {
    throw usageError('--collateral and --accept-tcb apply to tdx and sgx evidence');
  }
  const trustVendor = flags.vendorRoot && flags.awsRoot;
  const maxAge = flags.maxAge === undefined ? undefined : parseDurationSeconds(flags.maxAge);
  if (flags.maxAge !== undefined && maxAge === undefined) throw usageError('--max-age must be a duration, e.g. 5m');
  if (flags.cert.length > MAX_SUPPLIED_CERTIFICATES) throw usageError(`--cert may be given at most ${MAX_SUPPLIED_CERTIFICATES} times`);
  if (flags.crl.length > MAX_CRLS) throw usageError(`--crl may be given at most ${MAX_CRLS} times`);
  return {
    trustedRoots: [...(trustVendor ? vendorRoots(platform) : []), ...(await Promise.all(flags.root.map((f) => readFileText(f, MAX_CERTIFICATE_FILE_BYTES))))],
    now: flags.at !== undefined ? parseAt(flags.at) : systemClock.now(),
    maxAgeMs: maxAge === undefined ? Infinity : maxAge * 1000,
    allowDebug: flags.allowDebug === true,
    ...(flags.nonce !== undefined ? { expectedNonce: Buffer.from(flags.nonce, 'base64') } : {}),
    ...(flags.cert.length > 0 ? { certificates: await Promise.all(flags.cert.map((f) => readFileUpTo(f, MAX_CERTIFICATE_FILE_BYTES))) } : {}),
    ...(flags.crl.length > 0 ? { crls: await Promise.all(flags.crl.map(async (f) => evidenceBytes(await readFileUpTo(f, MAX_CRL_FILE_BYTES)))) } : {}),
    ...(flags.collateral !== undefined ? { collateral: await collateralFile(flags.collateral) } : {}),
  };
}

/** Claims as printed: the common ones, then each measurement by name (Nitro: pcrNN). */
function claimsView(c: AttestationClaims, json: boolean): Record<string, unknown> {
  const view: Record<string, unknown> = {
    platform: c.platform, signer_id: c.signerId, enclave_id: c.enclaveId, debug: c.debug,
    timestamp: new Date(c.timestamp).toISOString(), nonce: hex(c.nonce), public_key: hex(c.publicKey), user_data: hex(c.userData),
  };
  if ('moduleId' in c) view.module_id = c.moduleId;
  if (c.tcbStatus !== undefined) view.tcb_status = c.tcbStatus;
  if (c.advisoryIds !== undefined) view.advisory_ids = json ? c.advisoryIds : c.advisoryIds.join(',');
  if (c.snpTcb !== undefined) view.snp_tcb = json ? c.snpTcb : Object.entries(c.snpTcb).map(([k, v]) => `${k}=${v}`).join(' ');
  if (c.vmpl !== undefined) view.vmpl = c.vmpl;
  if (json) return { ...view, measurements: c.measurements };
  const label = (k: string) => (c.platform === 'nitro' ? `pcr${k.padStart(2, '0')}` : k);
  return { ...view, ...Object.fromEntries(Object.entries(c.measurements).map(([k, v]) => [label(k), v])) };
}

export function registerAttest(program: Command, ctx: CliContext): void {
  const attest = program.command('attest').description('Attestation evidence');
  attest
    .command('verify')
    .description('Verify attestation evidence offline and print its claims')
    .argument('<file>', 'the evidence: raw bytes, hex or base64')
    .option('--platform <name>', `attestation platform (${PLATFORM_NAMES.join(', ')})`, 'nitro')
    .option('--at <time>', 'verification time: ms since the epoch or RFC 3339 (default now)')
    .option('--cert <file>', 'snp: the VCEK or VLEK, and optionally its ASK/ASVK (PEM or DER; repeatable)', collect, [])
    .option('--crl <file>', 'snp: an ARK-signed CRL (DER or PEM; repeatable)', collect, [])
    .option('--collateral <json-file>', 'tdx/sgx: the DCAP collateral document')
    .option('--root <pem-file>', 'an additional trusted root (repeatable)', collect, [])
    .option('--no-vendor-root', "do not trust the vendor's pinned roots")
    .option('--no-aws-root', 'do not trust the AWS Nitro root (same as --no-vendor-root)')
    .option('--allow-debug', 'accept debug-mode evidence')
    .option('--accept-tcb <statuses>', `tdx/sgx: accepted TCB statuses (default ${DEFAULT_ACCEPTED.join(',')})`)
    .option('--max-age <duration>', 'nitro: refuse evidence older than this, e.g. 5m')
    .option('--nonce <base64>', 'the challenge the evidence must carry (snp/tdx/sgx: REPORT_DATA[0..32])')
    .action(async (file: string, flags: VerifyFlags) => {
      if (!isPlatformName(flags.platform)) throw usageError(`unsupported platform ${JSON.stringify(printable(flags.platform.slice(0, 40)))}: one of ${PLATFORM_NAMES.join(', ')}`);
      const platform = flags.platform;
      const accepted = acceptedStatuses(flags.acceptTcb);
      const options = await verifyOptions(platform, flags);
      const result = createPlatformVerifiers()[platform].verify(evidenceBytes(await readFileUpTo(file, MAX_EVIDENCE_FILE_BYTES)), options);
      if (!result.ok) throw new CliExit(EXIT_LOCAL, `Verification failed (${result.code}): ${result.message}`);
      const out = ctx.output();
      const view = claimsView(result.claims, out.format === 'json');
      if (out.format === 'json') out.json(view);
      else out.map(view);
      const status = result.claims.tcbStatus;
      if ((platform === 'tdx' || platform === 'sgx') && (status === undefined || !accepted.includes(status))) {
        throw new CliExit(EXIT_VERIFY_FAILED, `Verification failed (tcb_not_accepted): the TCB status ${status ?? '(none)'} is not among the accepted ${accepted.join(', ')}`);
      }
    });
}
