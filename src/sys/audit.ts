/**
 * sys/ paths for audit devices, answered as Vault answers them (sudo is enforced by the ACL layer
 * through SYS_ROOT_PATHS):
 *
 *   GET    audit                                    → { "<path>": {type, description, options, local, path, delivery} }
 *                  (options that are credentials, such as the http device's header values, redacted;
 *                  `delivery` says what a recorded entry means: "confirmed", "sent", or for UDP
 *                  "sent, not confirmed: ..."; `failing`; network devices' `lost_entries`; a warning
 *                  when no enabled device confirms delivery)
 *   PUT    audit/<path>   {type, description, options, local}                    → 204
 *   DELETE audit/<path>                                                          → 204
 *                  (final only once its response entry was recorded; otherwise 500 and the device stays)
 *   POST   audit-hash/<path>  {input}               → { hash }
 *   GET    config/auditing/request-headers          → { headers: { "<name>": {hmac} } }
 *   GET    config/auditing/request-headers/<name>   → { "<name>": {hmac} }
 *   PUT    config/auditing/request-headers/<name>  {hmac}                        → 204
 *   DELETE config/auditing/request-headers/<name>                                → 204
 */
import type { PathSpec } from '../core/index.js';
import { invalid } from '../errors/index.js';
import { type AuditManager, shownOptions } from '../audit/index.js';
import { boolField } from '../auth/index.js';
import { isJsonObject, setOwn } from '../lib/safe-object.js';
import { lostEntriesView } from './audit-losses.js';
import { JsonNumber } from '../lib/json-number.js';

export interface AuditPathDeps {
  audit: AuditManager;
}

/** Vault accepts option values as strings, booleans or numbers and stores them as strings. */
function optionsField(data: Record<string, unknown>): Record<string, string> {
  const raw = data.options;
  if (raw === undefined || raw === null || raw === '') return {};
  if (!isJsonObject(raw)) throw invalid('"options" must be a map of option names to values', 'invalid_audit_option');
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
    if (typeof v === 'string') setOwn(out, k, v);
    else if (typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v)) || v instanceof JsonNumber) setOwn(out, k, String(v));
    else throw invalid(`option "${k}" must be a string, boolean or number`, 'invalid_audit_option');
  }
  return out;
}

/** A boolean field as Vault's field parser reads it (auth's boolField); absent is false. */
const flag = (data: Record<string, unknown>, name: string): boolean => boolField(data, name) ?? false;

/** A string field as Vault's field parser reads one: a JSON number is its literal text. */
function stringField(data: Record<string, unknown>, name: string, required: boolean): string {
  const raw = data[name];
  if (raw === undefined || raw === null) {
    if (required) throw invalid(`"${name}" is required`, 'invalid_request');
    return '';
  }
  const v = raw instanceof JsonNumber ? raw.text : typeof raw === 'number' ? String(raw) : raw;
  if (typeof v !== 'string') throw invalid(`"${name}" must be a string`, 'invalid_request');
  if (required && v === '') throw invalid(`"${name}" is required`, 'invalid_request');
  return v;
}

export function auditPaths(deps: AuditPathDeps): PathSpec[] {
  const { audit } = deps;
  return [
    {
      pattern: 'audit',
      handlers: {
        read: async () => {
          const data: Record<string, unknown> = {};
          for (const d of audit.list()) {
            data[d.path] = {
              type: d.type, description: d.description, options: shownOptions(d.type, d.options), local: d.local, path: d.path,
              delivery: d.deliveryNote ?? d.delivery,
              failing: d.failing,
              ...(d.losses ? { lost_entries: lostEntriesView(d.losses) } : {}),
            };
          }
          const { warnings } = audit.health();
          return warnings.length > 0 ? { data, warnings } : { data };
        },
      },
    },
    {
      pattern: 'audit/(?<path>.+)',
      handlers: {
        update: async (req) => {
          await audit.enable(req.params.path, {
            type: stringField(req.data, 'type', true),
            description: stringField(req.data, 'description', false),
            options: optionsField(req.data),
            local: flag(req.data, 'local'),
          }, { source: 'api' });
          return undefined;
        },
        delete: async (req) => {
          await audit.disable(req.params.path, { requestId: req.logical.id });
          return undefined;
        },
      },
    },
    {
      pattern: 'audit-hash/(?<path>.+)',
      handlers: {
        update: async (req) => ({ data: { hash: audit.hash(req.params.path, stringField(req.data, 'input', false)) } }),
      },
    },
    {
      pattern: 'config/auditing/request-headers',
      handlers: {
        read: async () => ({ data: { headers: audit.requestHeaders.list() } }),
      },
    },
    {
      pattern: 'config/auditing/request-headers/(?<name>.+)',
      handlers: {
        read: async (req) => {
          const name = req.params.name.toLowerCase();
          const setting = audit.requestHeaders.get(name);
          if (!setting) throw invalid('Could not find header in config', 'audited_header_not_found');
          return { data: { [name]: setting } };
        },
        update: async (req) => {
          await audit.requestHeaders.set(req.params.name, { hmac: flag(req.data, 'hmac') });
          return undefined;
        },
        delete: async (req) => {
          await audit.requestHeaders.delete(req.params.name);
          return undefined;
        },
      },
    },
  ];
}
