/**
 * What commands print, in the chosen `-format`: `table` renders like the vault CLI, `json` prints
 * the API's JSON pretty-printed (2-space indent). Warnings from the server go to stderr.
 */
import type { VaultResponse } from '../sdk/index.js';
import { CliExit, EXIT_LOCAL } from './failure.js';
import type { CliIo } from './io.js';
import { printable, printableText, terminalSafeJson } from './printable.js';
import { cellValue, goQuotedList, goTime, goValue, humanDuration, keyValueTable, tableOutput } from './table.js';

export type OutputFormat = 'table' | 'json';
export const OUTPUT_FORMATS: readonly OutputFormat[] = ['table', 'json'];

export interface SecretOutputOptions {
  /** Print `auth.client_token` as the `token` row (only token create shows the token). */
  showToken?: boolean;
}

export class Output {
  constructor(private readonly io: CliIo, readonly format: OutputFormat) {}

  /** One line on stdout. */
  line(text = ''): void {
    this.io.stdout(text + '\n');
  }

  /** vault's "Success! Data written to" for a write that returned no data: printed in table format only. */
  written(path: string): void {
    if (this.format === 'table') this.line(`Success! Data written to: ${path}`);
  }

  /** Text on stdout with no newline added. */
  raw(text: string): void {
    this.io.stdout(text);
  }

  /** One line on stderr. */
  error(text: string): void {
    this.io.stderr(text + '\n');
  }

  json(value: unknown): void {
    this.line(terminalSafeJson(JSON.stringify(value, null, 2)));
  }

  /** A response envelope: vault's OutputSecret. */
  secret(envelope: VaultResponse<unknown>, options: SecretOutputOptions = {}): void {
    if (this.format === 'json') return this.json(envelope);
    this.warnings(envelope.warnings);
    const text = secretTable(envelope, options);
    if (text !== '') this.line(text);
  }

  /** A map as a Key/Value table (vault's OutputMap), or JSON. */
  map(data: Record<string, unknown>): void {
    if (this.format === 'json') return this.json(data);
    const text = mapTable(data);
    if (text !== '') this.line(text);
  }

  /** A list of keys: `Keys` + underline + sorted keys, or the JSON array. */
  list(keys: readonly string[]): void {
    if (this.format === 'json') return this.json(keys);
    if (keys.length > 0) this.line(tableOutput(['Keys'], [...keys].sort().map((k) => [k])));
  }

  /** A server's warnings: a list of strings; anything else it sends is shown as its JSON. */
  warnings(warnings: unknown): void {
    const list: unknown[] = Array.isArray(warnings) ? warnings : warnings ? [warnings] : [];
    if (list.length === 0) return;
    this.error('WARNING! The following warnings were returned from the server:\n');
    for (const w of list) this.error(`  * ${printable(typeof w === 'string' ? w : JSON.stringify(w))}\n`);
  }
}

/** vault's OutputMap: sorted keys, duration-looking keys humanized. Empty map → ''. */
export function mapTable(data: Record<string, unknown>): string {
  const keys = Object.keys(data).sort();
  if (keys.length === 0) return '';
  return keyValueTable(keys.map((k) => [k, cellValue(k, data[k])] as const));
}

/** vault's OutputSecret table: lease rows, then the auth block, then the sorted data. */
export function secretTable(envelope: VaultResponse<unknown>, options: SecretOutputOptions = {}): string {
  const rows: Array<readonly [string, string]> = [];
  if (envelope.lease_duration > 0) {
    if (envelope.lease_id) {
      rows.push(['lease_id', envelope.lease_id], ['lease_duration', humanDuration(envelope.lease_duration)], ['lease_renewable', String(envelope.renewable)]);
    } else {
      rows.push(['refresh_interval', humanDuration(envelope.lease_duration)]);
    }
  }
  const auth = envelope.auth;
  if (auth) {
    if (options.showToken) rows.push(['token', auth.client_token]);
    rows.push(['token_accessor', auth.accessor]);
    // A zero lease is a token that never expires (root): vault prints ∞.
    rows.push(['token_duration', auth.lease_duration === 0 ? '∞' : humanDuration(auth.lease_duration)]);
    rows.push(['token_renewable', String(auth.renewable)]);
    rows.push(['token_policies', goQuotedList(auth.token_policies)]);
    rows.push(['identity_policies', goQuotedList(auth.identity_policies)]);
    rows.push(['policies', goQuotedList(auth.policies)]);
    for (const k of Object.keys(auth.metadata ?? {}).sort()) rows.push([`token_meta_${k}`, goValue(auth.metadata?.[k])]);
  }
  const wrap = envelope.wrap_info;
  if (wrap) {
    rows.push(['wrapping_token', wrap.token], ['wrapping_accessor', wrap.accessor], ['wrapping_token_ttl', humanDuration(wrap.ttl)]);
    rows.push(['wrapping_token_creation_time', goTime(wrap.creation_time)], ['wrapping_token_creation_path', wrap.creation_path]);
    if (wrap.wrapped_accessor) rows.push(['wrapped_accessor', wrap.wrapped_accessor]);
  }
  const data = envelope.data;
  if (data && typeof data === 'object') {
    const record = data as Record<string, unknown>;
    for (const k of Object.keys(record).sort()) rows.push([k, cellValue(k, record[k])]);
  }
  return rows.length === 0 ? '' : keyValueTable(rows);
}

/**
 * vault's `-field`: one value of a response, raw (`%v`) in table format or as JSON; the auth
 * and wrapping fields are reachable by the names the table shows. Undefined when the field is absent.
 */
export function extractField(envelope: VaultResponse<unknown>, field: string): unknown {
  const auth = envelope.auth;
  const wrap = envelope.wrap_info;
  const byName: Record<string, () => unknown> = {
    refresh_interval: () => envelope.lease_duration,
    lease_id: () => envelope.lease_id,
    lease_duration: () => envelope.lease_duration,
    lease_renewable: () => envelope.renewable,
    token: () => auth?.client_token,
    token_accessor: () => auth?.accessor,
    token_duration: () => auth?.lease_duration,
    token_renewable: () => auth?.renewable,
    token_policies: () => auth?.token_policies,
    identity_policies: () => auth?.identity_policies,
    policies: () => auth?.policies,
    wrapping_token: () => wrap?.token,
    wrapping_accessor: () => wrap?.accessor,
    wrapping_token_ttl: () => wrap?.ttl,
    wrapping_token_creation_time: () => (wrap ? goTime(wrap.creation_time) : undefined),
    wrapping_token_creation_path: () => wrap?.creation_path,
    wrapped_accessor: () => wrap?.wrapped_accessor,
  };
  const data = (envelope.data ?? {}) as Record<string, unknown>;
  if (field in data) return data[field];
  if (byName[field]) return byName[field]() ?? undefined;
  if (field.startsWith('token_meta_')) return auth?.metadata?.[field.slice('token_meta_'.length)];
  return undefined;
}

/**
 * Prints `-field=name` of a response: `%v` in table format, JSON otherwise. Like vault, no newline
 * when stdout is not a terminal, so `$(sealtrail kv get -field=pw secret/db)` is exact. On a
 * terminal, what would act on it (escape sequences, CR, bidi overrides) is shown escaped. An
 * absent field is a local error (exit 1), as in vault.
 */
export function printField(out: Output, envelope: VaultResponse<unknown>, field: string, stdoutIsTty: boolean): void {
  const value = extractField(envelope, field);
  if (value === undefined || value === null) throw new CliExit(EXIT_LOCAL, `Field "${field}" not present in secret`);
  // The table format's value is exact (scripts capture it); JSON's escapes keep the value.
  const text = out.format === 'json' ? terminalSafeJson(JSON.stringify(value, null, 2)) : goValue(value);
  if (stdoutIsTty) out.line(printableText(text));
  else out.raw(text);
}
