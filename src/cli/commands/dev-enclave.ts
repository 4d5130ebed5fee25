/**
 * `sealtrail dev-enclave init | attest`: a local test CA and Nitro-format attestation documents
 * for development without Nitro hardware. Runs offline; a server accepts the documents only if it
 * trusts `<dir>/root.pem` (automatic in dev mode).
 *
 *   sealtrail dev-enclave init --dir ./dev-ca
 *   sealtrail dev-enclave attest --dir ./dev-ca --nonce <base64> --pcr0 <hex> --pcr8 <hex> --out doc.cbor
 *   sealtrail dev-enclave login --dir ./dev-ca --pcr0 <hex> --pcr8 <hex>   (the whole handshake)
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { generateKeyPairSync } from 'node:crypto';
import { createDevCa, createDevEnclave, loadDevCaFromDir, openEnvelope, saveDevCa, DEV_CA_ROOT_FILE, type PcrValues } from '../../attestation/index.js';
import { systemClock } from '../../lib/clock.js';
import { apmLogin, type VaultResponse } from '../../sdk/index.js';
import type { CliContext } from '../context.js';
import { remote, usageError } from '../failure.js';
import { collect } from '../flags.js';

interface AttestFlags {
  dir: string;
  nonce?: string;
  pcr0?: string;
  pcr1?: string;
  pcr2?: string;
  pcr8?: string;
  pcr: string[];
  userData?: string;
  publicKey?: string;
  moduleId?: string;
  out?: string;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function base64Flag(flag: string, value: string | undefined): Uint8Array | undefined {
  if (value === undefined) return undefined;
  if (!BASE64.test(value)) throw usageError(`--${flag} must be base64`);
  return new Uint8Array(Buffer.from(value, 'base64'));
}

function pcrsOf(flags: AttestFlags): PcrValues {
  const pcrs: PcrValues = {};
  const named: Array<[number, string | undefined]> = [[0, flags.pcr0], [1, flags.pcr1], [2, flags.pcr2], [8, flags.pcr8]];
  for (const [i, v] of named) if (v !== undefined) pcrs[i] = v;
  for (const entry of flags.pcr) {
    const m = /^(\d{1,2})=([0-9a-fA-F]+)$/.exec(entry);
    if (!m || Number(m[1]) > 31) throw usageError(`--pcr takes <index 0..31>=<hex>, got "${entry}"`);
    pcrs[Number(m[1])] = m[2];
  }
  for (const [i, v] of Object.entries(pcrs)) {
    if (!/^(?:[0-9a-fA-F]{2}){48}$/.test(v as string)) throw usageError(`PCR${i} must be 96 hex digits (48 bytes)`);
  }
  return pcrs;
}

export function registerDevEnclave(program: Command, ctx: CliContext): void {
  const dev = program.command('dev-enclave').description('A development enclave: a local test CA and Nitro-format attestation documents');

  dev
    .command('init')
    .description('Create a test CA (P-384 root and intermediate) in a directory')
    .requiredOption('--dir <dir>', 'directory for the CA\'s PEM files')
    .option('--force', 'replace an existing CA')
    .action(async (flags: { dir: string; force?: boolean }) => {
      const ca = createDevCa({ clock: systemClock });
      await saveDevCa(flags.dir, ca, { overwrite: flags.force === true });
      const out = ctx.output();
      const root = join(flags.dir, DEV_CA_ROOT_FILE);
      if (out.format === 'json') return out.json({ root_pem_path: root, root_sha256: ca.root.fingerprint256 });
      out.line(`Success! Created a development CA in ${flags.dir}`);
      out.line(`Trust ${root} (SHA-256 ${ca.root.fingerprint256}) to accept its documents.`);
    });

  dev
    .command('attest')
    .description('Issue a Nitro-format attestation document signed by the test CA')
    .requiredOption('--dir <dir>', 'the CA directory (from dev-enclave init)')
    .option('--nonce <base64>', 'the challenge to answer')
    .option('--pcr0 <hex>', 'enclave image measurement (enclave_id)')
    .option('--pcr1 <hex>', 'kernel measurement')
    .option('--pcr2 <hex>', 'application measurement')
    .option('--pcr8 <hex>', 'signing certificate measurement (signer_id)')
    .option('--pcr <index=hex>', 'any other PCR (repeatable)', collect, [])
    .option('--user-data <base64>', 'user_data field')
    .option('--public-key <base64>', 'public_key field')
    .option('--module-id <id>', 'module_id field')
    .option('--out <file>', 'write the document (CBOR) here; default: base64 on stdout')
    .action(async (flags: AttestFlags) => {
      const pcrs = pcrsOf(flags);
      const ca = await loadDevCaFromDir(flags.dir);
      const enclave = createDevEnclave({ ca, clock: systemClock, pcrs, ...(flags.moduleId ? { moduleId: flags.moduleId } : {}) });
      const doc = enclave.attest({
        nonce: base64Flag('nonce', flags.nonce) ?? null,
        userData: base64Flag('user-data', flags.userData) ?? null,
        publicKey: base64Flag('public-key', flags.publicKey) ?? null,
      });
      if (flags.out) {
        await writeFile(flags.out, doc);
        ctx.output().error(`Wrote a ${doc.length}-byte attestation document to ${flags.out}`);
      } else ctx.output().line(Buffer.from(doc).toString('base64'));
    });

  dev
    .command('login')
    .description('Log in as an enclave would: init, an attestation document answering the challenge, auth; prints the token')
    .requiredOption('--dir <dir>', 'the CA directory (the dev server trusts <data dir>/dev-ca)')
    .option('--pcr0 <hex>', 'enclave image measurement (enclave_id)')
    .option('--pcr1 <hex>', 'kernel measurement')
    .option('--pcr2 <hex>', 'application measurement')
    .option('--pcr8 <hex>', 'signing certificate measurement (signer_id)')
    .option('--pcr <index=hex>', 'any other PCR (repeatable)', collect, [])
    .option('--mount <path>', 'where the apm auth method is mounted', 'apm')
    .option('--platform <name>', 'the attestation platform', 'nitro')
    .option('--no-enclave-key', 'leave public_key out of the document (by default it names a key made for this login, which opens a token the server seals to it)')
    .option('--require-sealed-token', 'refuse an answer with the token in clear (a relay could substitute its own; one it seals is not refused)')
    .action(async (flags: AttestFlags & { mount: string; platform: string; enclaveKey: boolean; requireSealedToken?: boolean }) => {
      const pcrs = pcrsOf(flags);
      const enclave = createDevEnclave({ ca: await loadDevCaFromDir(flags.dir), clock: systemClock, pcrs });
      // As an enclave would: a key pair that lives as long as the login, its public half in the
      // document, so a role with token_bound_to_enclave_key can answer with the token sealed to it.
      const key = flags.enclaveKey ? generateKeyPairSync('rsa', { modulusLength: 2048 }) : undefined;
      const client = await ctx.anonymousClient();
      const login = await remote('logging in', () => apmLogin(client, {
        mount: flags.mount, platform: flags.platform,
        attest: (challenge) => enclave.attest({ nonce: challenge, publicKey: key ? key.publicKey.export({ type: 'spki', format: 'der' }) : null }),
        openToken: (envelope) => (key ? openEnvelope(key.privateKey, envelope)?.toString('utf8') : undefined),
        requireSealedToken: flags.requireSealedToken === true,
      }));
      const out = ctx.output();
      const shown: VaultResponse<Record<string, string>> = {
        request_id: '', lease_id: '', renewable: false, lease_duration: 0, wrap_info: null, warnings: null,
        // The entity id is what `journal timeline --entity-id` takes for the enclave's story.
        data: { correlation_id: login.correlationId, entity_id: login.entityId, signer_id: login.signerId, enclave_id: login.enclaveId },
        auth: login.auth,
      };
      if (out.format === 'json') return out.json(shown);
      // The token is the point of this command (as `token create`), so it is shown.
      out.secret(shown, { showToken: true });
    });
}
