/**
 * The mount table: secrets engines (`secret/`), auth methods (`auth/<path>/`) and the builtin
 * `sys/` and `auth/token/` mounts. Requests are routed to the longest mount prefix of their path.
 * User mounts are persisted through the barrier; each mount's storage is a view under
 * `logical/<uuid>/` so unmounting can drop it whole.
 *
 * Every change (enable, disable, tune) runs alone, from its conflict check to the stored table, as
 * under Vault's mounts lock: each stores a whole table, so two at once could store their snapshots
 * in the other order (PostgreSQL's pool does) and an acknowledged change would be undone at the
 * next unseal; and two enables of one path could both pass the check.
 */
import type { JournalWriter } from '../journal/index.js';
import { SealtrailError, invalid, notFound } from '../errors/index.js';
import type { Clock } from '../lib/clock.js';
import { randomBytes } from 'node:crypto';
import { uuid } from '../lib/ids.js';
import { createSerializer } from '../lib/keyed-lock.js';
import { getJson, putJson, storageView, type Storage } from '../storage/index.js';
import type { Backend, BackendFactory, MountConfig, MountEntry, MountTable } from './contract/types.js';

const TABLE_KEYS: Record<MountTable, string> = { secret: 'core-mounts/secret', auth: 'core-mounts/auth' };

export interface MountedBackend {
  entry: MountEntry;
  backend: Backend;
  /** Full routing prefix: `secret/`, `auth/apm/`, `sys/`. */
  prefix: string;
}

export interface EnableMountInput {
  path: string;
  type: string;
  description?: string;
  config?: Partial<MountConfig>;
  options?: Record<string, string>;
  local?: boolean;
}

export interface MountTableDeps {
  storage: Storage;
  clock: Clock;
  secretEngines: Readonly<Record<string, BackendFactory>>;
  authMethods: Readonly<Record<string, BackendFactory>>;
  /** Where backends write the records they make (capsule logs, attestations), when the journal is on. */
  journal?: JournalWriter;
  /**
   * Revokes every token issued by logins under an auth mount's prefix (`auth/apm/`), with their
   * children: disabling an auth method logs out everyone it logged in, as in Vault.
   */
  revokeLogins(prefix: string): Promise<void>;
  /** Told of each mount disabled, once it is gone (its rate limit quotas go with it). */
  onDisabled?(prefix: string): Promise<void>;
}

export const emptyMountConfig = (): MountConfig => ({
  defaultLeaseTtl: 0,
  maxLeaseTtl: 0,
  auditNonHmacRequestKeys: [],
  auditNonHmacResponseKeys: [],
  listingVisibility: '',
  passthroughRequestHeaders: [],
});

/** `foo` → `foo/`; refuses empty paths, `..` segments and leading slashes. */
export function normalizeMountPath(path: string): string {
  const p = path.replace(/^\/+/, '');
  if (p === '' || p === '/') throw invalid('mount path cannot be empty');
  const withSlash = p.endsWith('/') ? p : `${p}/`;
  if (withSlash.split('/').some((seg, i, all) => (seg === '' && i < all.length - 1) || seg === '..' || seg === '.')) {
    throw invalid(`invalid mount path "${path}"`);
  }
  return withSlash;
}

const PROTECTED_SECRET_PREFIXES = ['sys/', 'auth/', 'cubbyhole/', 'identity/', 'audit/'];

export class Mounts {
  private readonly byPrefix = new Map<string, MountedBackend>();
  /** Segments in the deepest mount prefix (`auth/apm/` has two). */
  private depth = 0;
  /** One table change at a time, each to its stored table. */
  private readonly changing = createSerializer();

  constructor(private readonly deps: MountTableDeps) {}

  /**
   * Vault's form, `<type>_<8 hex digits>` from 4 random bytes (`auth_<type>_...` for an auth
   * method), drawn again while a mounted entry has it. Stored mounts keep the accessor they were given.
   */
  private newAccessor(table: MountTable, type: string): string {
    const prefix = table === 'auth' ? `auth_${type}` : type;
    for (;;) {
      const accessor = `${prefix}_${randomBytes(4).toString('hex')}`;
      if (![...this.byPrefix.values()].some((m) => m.entry.accessor === accessor)) return accessor;
    }
  }

  /**
   * Registers a builtin mount (sys/, auth/token/, kms/, trail/): not persisted, cannot be
   * disabled. A factory gets storage under `builtin/<path>`: a builtin's uuid is new at every
   * unseal, so its data cannot live under the per-uuid `logical/` prefix.
   */
  /** `local`: the mount's data is never replicated (Vault's cubbyhole), as `sys/mounts` reports it. */
  async addBuiltin(table: MountTable, path: string, type: string, backend: Backend | BackendFactory, description: string, { local = false } = {}): Promise<MountEntry> {
    const entry: MountEntry = {
      table, path, type, description, accessor: this.newAccessor(table, type), uuid: uuid(),
      config: emptyMountConfig(), options: {}, local, sealWrap: false, builtin: true,
    };
    const instance = typeof backend === 'function'
      ? await backend({ mount: entry, storage: storageView(this.deps.storage, `builtin/${path}`), clock: this.deps.clock, journal: this.deps.journal })
      : backend;
    this.register({ entry, backend: instance, prefix: prefixOf(entry) });
    return entry;
  }

  /** Loads persisted user mounts (at unseal). */
  async load(): Promise<void> {
    for (const table of ['secret', 'auth'] as const) {
      const entries = (await getJson<MountEntry[]>(this.deps.storage, TABLE_KEYS[table])) ?? [];
      for (const entry of entries) await this.instantiate(entry);
    }
  }

  /**
   * The longest mount prefix of `path` (full path below /v1/). Only the first `depth` segments can
   * name a mount, so at most that many prefixes are tried, whatever the path's length; every step
   * drops a segment, so any path (empty, leading or doubled slashes) ends the search.
   */
  route(path: string): MountedBackend | undefined {
    const candidate = path.endsWith('/') ? path : `${path}/`;
    let end = 0;
    for (let i = 0; i < this.depth; i++) {
      const slash = candidate.indexOf('/', end);
      if (slash < 0) break;
      end = slash + 1;
    }
    while (end > 0) {
      const found = this.byPrefix.get(candidate.slice(0, end));
      if (found) return found;
      end = end < 2 ? 0 : candidate.lastIndexOf('/', end - 2) + 1;
    }
    return undefined;
  }

  list(table: MountTable): MountEntry[] {
    return [...this.byPrefix.values()].filter((m) => m.entry.table === table).map((m) => m.entry)
      .sort((a, b) => (a.path < b.path ? -1 : 1));
  }

  /**
   * The mount of `table` at `path`. Auth methods are routed under `auth/`, so a secrets-engine path
   * `auth/x` names the prefix of an auth method: each table answers for its own mounts only, or
   * `sys/mounts/auth/x` would disable or tune an auth method without the sudo `sys/auth/` needs.
   */
  get(table: MountTable, path: string): MountedBackend | undefined {
    const found = this.byPrefix.get(table === 'auth' ? `auth/${normalizeMountPath(path)}` : normalizeMountPath(path));
    return found?.entry.table === table ? found : undefined;
  }

  /** Whether `path` is one a secrets engine can never be mounted at or unmounted from (Vault's protected mounts). */
  isReserved(table: MountTable, path: string): boolean {
    const normalized = normalizeMountPath(path);
    return table === 'secret' && PROTECTED_SECRET_PREFIXES.some((p) => normalized.startsWith(p));
  }

  enable(table: MountTable, input: EnableMountInput): Promise<MountEntry> {
    return this.changing(() => this.enableNow(table, input));
  }

  private async enableNow(table: MountTable, input: EnableMountInput): Promise<MountEntry> {
    const path = normalizeMountPath(input.path);
    const registry = table === 'secret' ? this.deps.secretEngines : this.deps.authMethods;
    if (!Object.hasOwn(registry, input.type)) {
      // The type is not repeated: the answer and the response entry's `error` (not hashed) would
      // carry whatever was sent, a secret pasted by mistake or 1 MiB of it.
      throw invalid(`"type" is not a supported ${table === 'secret' ? 'secrets engine' : 'auth method'}; known types: ${Object.keys(registry).sort().join(', ')}`);
    }
    if (this.isReserved(table, path)) throw invalid(`cannot mount under reserved path "${path}"`);
    if (table === 'auth' && path === 'token/') throw invalid('token auth method is always enabled at auth/token/');
    const prefix = table === 'auth' ? `auth/${path}` : path;
    for (const existing of this.byPrefix.keys()) {
      if (existing.startsWith(prefix) || prefix.startsWith(existing)) {
        throw invalid(`path is already in use at ${existing}`, 'mount_conflict');
      }
    }
    const entry: MountEntry = {
      table, path: table === 'auth' ? `auth/${path}` : path, type: input.type, description: input.description ?? '',
      accessor: this.newAccessor(table, input.type), uuid: uuid(),
      config: { ...emptyMountConfig(), ...input.config }, options: { ...input.options }, local: input.local ?? false,
      sealWrap: false,
    };
    await this.instantiate(entry);
    try {
      await this.persist(table);
    } catch (err) {
      this.byPrefix.delete(prefixOf(entry));
      throw err;
    }
    return entry;
  }

  async disable(table: MountTable, path: string): Promise<void> {
    const mounted = await this.changing(() => this.unmountNow(table, path));
    // Its data goes after the table no longer names it (a new mount at the path has a new uuid).
    await mounted.backend.cleanup?.();
    const view = this.viewFor(mounted.entry);
    await dropAll(view, '');
    await this.deps.onDisabled?.(mounted.prefix);
  }

  private async unmountNow(table: MountTable, path: string): Promise<MountedBackend> {
    if (this.isReserved(table, path)) throw invalid(`cannot unmount "${normalizeMountPath(path)}"`);
    const mounted = this.get(table, path);
    if (!mounted) throw notFound(`no mount at ${path}`);
    if (mounted.entry.builtin) throw invalid(`cannot unmount "${mounted.entry.path}"`);
    // Unrouted first, so no login or renewal goes through it while its tokens are revoked.
    this.byPrefix.delete(mounted.prefix);
    if (table === 'auth') {
      try {
        await this.deps.revokeLogins(mounted.prefix);
      } catch (err) {
        this.register(mounted);
        throw err;
      }
    }
    try {
      await this.persist(table);
    } catch (err) {
      this.register(mounted);
      throw err;
    }
    return mounted;
  }

  tune(table: MountTable, path: string, config: Partial<MountConfig>, description?: string): Promise<MountEntry> {
    return this.changing(() => this.tuneNow(table, path, config, description));
  }

  private async tuneNow(table: MountTable, path: string, config: Partial<MountConfig>, description?: string): Promise<MountEntry> {
    // As Vault: `sys/` is not tunable (its audit_non_hmac keys would put tokens named in sys/ requests in clear).
    if (table === 'secret' && normalizeMountPath(path) === 'sys/') throw invalid('cannot tune "sys/"');
    const mounted = this.get(table, path);
    if (!mounted) throw notFound(`no mount at ${path}`);
    const entry = mounted.entry;
    const before = { config: entry.config, description: entry.description };
    entry.config = { ...entry.config, ...config };
    if (description !== undefined) entry.description = description;
    if (entry.builtin) return entry;
    try {
      await this.persist(table);
    } catch (err) {
      entry.config = before.config;
      entry.description = before.description;
      throw err;
    }
    return entry;
  }

  async closeAll(): Promise<void> {
    for (const m of this.byPrefix.values()) await m.backend.cleanup?.();
    this.byPrefix.clear();
  }

  private viewFor(entry: MountEntry): Storage {
    return storageView(this.deps.storage, `logical/${entry.uuid}/`);
  }

  private async instantiate(entry: MountEntry): Promise<void> {
    const registry = entry.table === 'secret' ? this.deps.secretEngines : this.deps.authMethods;
    const factory = registry[entry.type];
    if (!factory) throw new SealtrailError('internal', 'unknown_mount_type', `mount type ${entry.type} has no factory`);
    const backend = await factory({ mount: entry, storage: this.viewFor(entry), clock: this.deps.clock, journal: this.deps.journal });
    this.register({ entry, backend, prefix: prefixOf(entry) });
  }

  private register(mounted: MountedBackend): void {
    this.byPrefix.set(mounted.prefix, mounted);
    this.depth = Math.max(this.depth, mounted.prefix.split('/').length - 1);
  }

  private persist(table: MountTable): Promise<void> {
    const entries = this.list(table).filter((e) => !e.builtin);
    return putJson(this.deps.storage, TABLE_KEYS[table], entries);
  }
}

function prefixOf(entry: MountEntry): string {
  return entry.path;
}

async function dropAll(storage: Storage, prefix: string): Promise<void> {
  for (const key of await storage.list(prefix)) {
    if (key.endsWith('/')) await dropAll(storage, prefix + key);
    else await storage.delete(prefix + key);
  }
}
