/**
 * Dev mode: a server that is initialized and unsealed at start, with a root token printed, KV v2 at
 * `secret/` and a file audit device at `<data dir>/audit.log`, so a new user sees the trail at once.
 * With -dev-data-dir the data survives restarts (the unseal key is kept there, mode 0600).
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Core } from '../core/index.js';
import type { Services } from './services.js';
import { createDevCa, readDevCaRootPem, saveDevCa } from '../attestation/index.js';
import type { Clock } from '../lib/clock.js';
import { replaceFile, syncDirectory } from '../lib/atomic-file.js';
import { randomUnsealKey, readUnsealKeyFile, writeUnsealKeyFile } from '../storage/index.js';

export interface DevOptions {
  dataDir?: string;
  rootTokenId?: string;
}

export function devDataDir(opts: DevOptions): { dir: string; persistent: boolean } {
  if (opts.dataDir) return { dir: resolve(opts.dataDir), persistent: true };
  return { dir: mkdtempSync(join(tmpdir(), 'sealtrail-dev-')), persistent: false };
}

/** Where the dev server keeps its unseal key. */
export const devUnsealKeyFile = (dir: string): string => join(dir, 'unseal.key');

/**
 * Initializes (first start) or unseals (restart) the dev server; returns the unseal key (base64).
 * The key file is written before the seal that needs it is committed: a first start cut short
 * between the two leaves a key and no seal, and the next start initializes with that key.
 */
export async function devUnseal(core: Core<Services>, dir: string): Promise<string> {
  const keyFile = devUnsealKeyFile(dir);
  const status = await core.seal.status();
  let key: Uint8Array;
  if (!status.initialized) {
    if (existsSync(keyFile)) key = await readUnsealKeyFile(keyFile);
    else {
      key = randomUnsealKey();
      await writeUnsealKeyFile(keyFile, key);
    }
    await core.seal.initialize({ secretShares: 1, secretThreshold: 1, unsealKey: key });
  } else {
    if (!existsSync(keyFile)) throw new Error(`dev data dir ${dir} is initialized but has no unseal.key`);
    key = await readUnsealKeyFile(keyFile);
  }
  await core.seal.unsealWithKey(key);
  await core.afterUnseal();
  return Buffer.from(key).toString('base64');
}

/** Where a kept data directory remembers the accessor of the root token its last dev start printed. */
const ROOT_ACCESSOR_FILE = 'dev-root-token.accessor';

/**
 * Makes sure a root token exists: the requested id, or a fresh one printed at every dev start. On a
 * kept data directory the root token the previous start printed is revoked (its children are left,
 * as `token revoke -mode=orphan` leaves them): each start's is the only dev root token, rather than
 * one more that never expires.
 */
export async function devRootToken(core: Core<Services>, dir: string, requestedId?: string): Promise<{ token: string; revokedPrevious: boolean }> {
  const { tokens } = core.requireServices();
  const existing = requestedId ? await tokens.lookup(requestedId) : undefined;
  const { id, entry } = existing && requestedId
    ? { id: requestedId, entry: existing }
    : await tokens.create({ id: requestedId, policies: ['root'], path: 'auth/token/root', displayName: 'root', noParent: true, ttl: 0 });
  const file = join(dir, ROOT_ACCESSOR_FILE);
  const previous = existsSync(file) ? readFileSync(file, 'utf8').trim() : '';
  const old = previous !== '' && previous !== entry.accessor ? await tokens.lookupByAccessor(previous) : undefined;
  if (old) await tokens.revokeOrphan(old);
  await replaceFile(file, entry.accessor, 0o600);
  return { token: id, revokedPrevious: old !== undefined };
}

/**
 * The development enclave CA lives in `<data dir>/dev-ca/`; its root is trusted by attestation in
 * dev mode only, so `sealtrail dev-enclave attest --dir <data dir>/dev-ca` documents log in. It is
 * made in `dev-ca.tmp` and renamed into place: a start cut short leaves no CA or a whole one.
 */
export async function devAttestationCa(dir: string, clock: Clock): Promise<{ caDir: string; rootPem: string }> {
  const caDir = join(dir, 'dev-ca');
  if (!existsSync(caDir)) {
    const temp = `${caDir}.tmp`;
    await rm(temp, { recursive: true, force: true });
    await saveDevCa(temp, createDevCa({ clock }));
    await rename(temp, caDir);
    await syncDirectory(dir);
  }
  return { caDir, rootPem: await readDevCaRootPem(caDir) };
}

/** The APM fields a new user wants readable in the audit log, as the APM documentation recommends. */
export const APM_PLAINTEXT_RESPONSE_KEYS = ['correlation_id', 'enclave_id', 'signer_id'];

/** KV v2 at secret/, capsules at capsule/, attestation login at auth/apm/ and the file audit device, on first start only. */
export async function devMounts(core: Core<Services>, dir: string): Promise<void> {
  const { mounts, audit } = core.requireServices();
  if (!mounts.get('secret', 'secret/')) {
    await mounts.enable('secret', { path: 'secret/', type: 'kv', options: { version: '2' }, description: 'key/value secret storage' });
  }
  if (!mounts.get('secret', 'capsule/')) {
    await mounts.enable('secret', { path: 'capsule/', type: 'capsule', description: 'encrypted records whose every read is logged' });
  }
  if (!mounts.get('auth', 'apm/')) {
    await mounts.enable('auth', { path: 'apm/', type: 'apm', description: 'attestation login (Anjuna Policy Manager flow)', config: { auditNonHmacResponseKeys: APM_PLAINTEXT_RESPONSE_KEYS } });
  }
  if (!audit.list().some((d) => d.path === 'file/')) {
    await audit.enable('file/', { type: 'file', description: 'dev mode audit log', options: { file_path: join(dir, 'audit.log') }, local: false }, { source: 'api' });
  }
}
