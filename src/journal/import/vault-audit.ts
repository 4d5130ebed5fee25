/**
 * A Vault/OpenBao audit log line (JSON format) → a `vault-request` or `vault-response` record,
 * by its `type`, timed by its `time` (to the nanosecond). The text is the line itself.
 */
import { vaultEntryKeys } from '../extract/vault.js';
import { parseObject, Problem, timeOf, type Parsed } from './parsed.js';

const KINDS = { request: 'vault-request', response: 'vault-response' } as const;

export function parseVaultAuditLine(text: string, terminated: boolean): Parsed {
  const entry = parseObject(text, terminated);
  if (entry instanceof Problem) return entry;
  const type = entry.type;
  if (type !== 'request' && type !== 'response') return new Problem('"type" is missing or neither "request" nor "response"');
  const timeNs = timeOf(entry, 'time');
  if (timeNs instanceof Problem) return timeNs;
  return { kind: KINDS[type], timeNs, text, keys: vaultEntryKeys(entry) };
}
