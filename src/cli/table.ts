/**
 * Table text as the vault CLI prints it (ryanuber/columnize with vault's settings): columns
 * separated by 4 spaces, the last column unpadded, empty cells shown as `n/a`, a header row
 * underlined with dashes, values rendered like Go's `%v`. Unlike vault, control characters in a
 * cell are shown escaped (printable.ts): a cell's text must not drive the terminal.
 */
import { printable } from './printable.js';

const GLUE = '    ';
const EMPTY = 'n/a';

/**
 * Aligns rows into columns; cells are trimmed and escaped, empty cells become `n/a`. A cell a
 * server left out of its answer (a field missing where a string belongs) is an empty one.
 * `minWidths` pads columns to at least those widths: a table printed a row at a time (a tail)
 * keeps its columns under its header that way, a longer cell pushing only its own row.
 */
export function columnize(rows: readonly (readonly string[])[], minWidths: readonly number[] = []): string {
  const cells = rows.map((row) => row.map((c) => {
    const text = typeof c === 'string' ? c.trim() : c === undefined || c === null ? '' : String(c);
    return text === '' ? EMPTY : printable(text);
  }));
  const widths = [...minWidths];
  for (const row of cells) row.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return cells
    .map((row) => row.map((c, i) => (i === row.length - 1 ? c : c.padEnd(widths[i]))).join(GLUE))
    .join('\n');
}

/** A header row, its dash underline, then the rows. */
export function tableOutput(header: readonly string[], rows: readonly (readonly string[])[], minWidths?: readonly number[]): string {
  return columnize([header, header.map((h) => '-'.repeat(h.length)), ...rows], minWidths);
}

/** The `Key    Value` table of vault's OutputSecret / OutputMap. */
export function keyValueTable(pairs: readonly (readonly [string, string])[]): string {
  return tableOutput(['Key', 'Value'], pairs);
}

/** Go's `%v` of a decoded JSON value: `[a b]`, `map[k:v]` (sorted keys), `<nil>`. */
export function goValue(value: unknown): string {
  if (value === null || value === undefined) return '<nil>';
  if (Array.isArray(value)) return `[${value.map(goValue).join(' ')}]`;
  if (typeof value === 'object') {
    const entries = Object.keys(value).sort().map((k) => `${k}:${goValue((value as Record<string, unknown>)[k])}`);
    return `map[${entries.join(' ')}]`;
  }
  return String(value);
}

/** Go's `%q` of a []string: `["a" "b"]`; nil is `[]`. */
export function goQuotedList(value: unknown): string {
  const list = Array.isArray(value) ? value : [];
  return `[${list.map((v) => JSON.stringify(String(v))).join(' ')}]`;
}

/** vault's humanDuration: Go's Duration.String without trailing zero units (`768h`, `1m30s`, `0s`). */
export function humanDuration(totalSeconds: number): string {
  if (totalSeconds === 0) return '0s';
  const sign = totalSeconds < 0 ? '-' : '';
  let s = Math.abs(Math.trunc(totalSeconds));
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  let text = h > 0 ? `${h}h${m}m${s}s` : m > 0 ? `${m}m${s}s` : `${s}s`;
  if (text.endsWith('m0s')) text = text.slice(0, -2);
  text = text.replace(/h0m$/, 'h').replace(/h0m(?=\d)/, 'h');
  return sign + text;
}

const RFC3339 = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|([+-]\d{2}):(\d{2}))$/;

/**
 * Go's time.Time String of an RFC 3339 time as the API gives it (vault prints a wrapping token's
 * creation time so): `2024-11-14 23:46:27.382 +0000 UTC`, the fraction without trailing zeros.
 * Text that is not such a time is returned as is.
 */
export function goTime(text: string): string {
  const m = RFC3339.exec(text);
  if (!m) return text;
  const fraction = (m[3] ?? '').replace(/0+$/, '');
  const zone = m[4] === 'Z' ? '+0000 UTC' : `${m[5]}${m[6]} ${m[5]}${m[6]}`;
  return `${m[1]} ${m[2]}${fraction ? `.${fraction}` : ''} ${zone}`;
}

/** Keys whose numeric values vault prints as durations. */
export function looksLikeDuration(key: string): boolean {
  return key === 'period' || key.endsWith('_period') || key === 'ttl' || key.endsWith('_ttl') || key.endsWith('_timeout');
}

/** A data value for a table cell: durations humanized for duration-like keys, else `%v`. */
export function cellValue(key: string, value: unknown): string {
  if (looksLikeDuration(key) && typeof value === 'number' && Number.isInteger(value)) return humanDuration(value);
  return goValue(value);
}

/** `== Title ==` padded with `=` to about `totalLen` (vault's padEqualSigns). */
export function padEqualSigns(header: string, totalLen: number): string {
  let signs = totalLen - (header.length + 2);
  if (signs <= 0) signs = 4;
  if (signs % 2 !== 0) signs += 1;
  const side = '='.repeat(signs / 2);
  return `${side} ${header} ${side}`;
}

/** The section header vault prints above a map's table: width = longest key + 4 + len("Value"). */
export function headerForMap(header: string, data: Record<string, unknown>): string {
  const maxKey = Math.max(0, ...Object.keys(data).map((k) => k.length));
  return padEqualSigns(header, maxKey + 4 + 5);
}
