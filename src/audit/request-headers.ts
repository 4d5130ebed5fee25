/**
 * Audited request headers (`sys/config/auditing/request-headers/<name>`): which request headers
 * appear in `request.headers` of every entry, and which of them are HMAC'd (`hmac: true`).
 * Names are case-insensitive and kept lower-cased, as Vault lists them. The configuration is
 * persisted in the audit storage view and cached in memory for the hot path.
 */
import { invalid } from '../errors/index.js';
import { getJson, putJson, type Storage } from '../storage/index.js';
import type { AuditedHeaders } from './device.js';
import type { AuditInput } from './model.js';
import { setOwn } from '../lib/safe-object.js';

export interface RequestHeaderSetting {
  hmac: boolean;
}

export interface AuditedHeaderConfig {
  /** Reads the persisted configuration (at unseal). */
  load(): Promise<void>;
  set(name: string, setting: RequestHeaderSetting): Promise<void>;
  get(name: string): RequestHeaderSetting | undefined;
  /** Lower-cased name → setting, sorted by name. */
  list(): Record<string, RequestHeaderSetting>;
  delete(name: string): Promise<void>;
  /** The configured headers present in this request, or undefined when none is configured. */
  pick(input: AuditInput): AuditedHeaders;
}

const STORAGE_KEY = 'request-headers';
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

function normalise(name: string): string {
  const n = name.trim().toLowerCase();
  if (!HEADER_NAME.test(n)) throw invalid('header name must be a non-empty HTTP header token', 'invalid_header_name');
  return n;
}

export function createAuditedHeaderConfig(storage: Storage): AuditedHeaderConfig {
  let settings = new Map<string, RequestHeaderSetting>();
  let hmacNames: ReadonlySet<string> = new Set();

  function commit(next: Map<string, RequestHeaderSetting>): void {
    settings = next;
    hmacNames = new Set([...next].filter(([, s]) => s.hmac).map(([n]) => n));
  }

  async function persist(next: Map<string, RequestHeaderSetting>): Promise<void> {
    await putJson(storage, STORAGE_KEY, Object.fromEntries(next));
    commit(next);
  }

  return {
    async load() {
      const stored = (await getJson<Record<string, RequestHeaderSetting>>(storage, STORAGE_KEY)) ?? {};
      commit(new Map(Object.entries(stored).map(([n, s]) => [n, { hmac: s.hmac === true }])));
    },
    async set(name, setting) {
      const next = new Map(settings);
      next.set(normalise(name), { hmac: setting.hmac === true });
      await persist(next);
    },
    get: (name) => {
      const s = settings.get(name.trim().toLowerCase());
      return s ? { ...s } : undefined;
    },
    list: () => Object.fromEntries([...settings.keys()].sort().map((n) => [n, { ...settings.get(n)! }])),
    async delete(name) {
      const n = name.trim().toLowerCase();
      if (!settings.has(n)) return;
      const next = new Map(settings);
      next.delete(n);
      await persist(next);
    },
    pick(input) {
      if (settings.size === 0) return undefined;
      const source = input.auditedHeaders ?? input.request.headers;
      // Request headers arrive lower-cased; headers the core picked itself may not be.
      const lookup = input.auditedHeaders
        ? new Map(Object.entries(source).map(([k, v]) => [k.toLowerCase(), v]))
        : undefined;
      const values: Record<string, readonly string[]> = {};
      for (const name of settings.keys()) {
        const v = lookup ? lookup.get(name) : Object.hasOwn(source, name) ? source[name] : undefined;
        if (v && v.length > 0) setOwn(values, name, v);
      }
      return { values, hmac: hmacNames };
    },
  };
}
