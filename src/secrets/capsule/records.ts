/**
 * The three input shapes — text, JSON records, tables — and the one internal form they share: a
 * list of records, each a list of fields (key + scalar value). Loading rebuilds the caller's shape.
 * Nested objects and arrays inside a record are refused rather than flattened, so what comes back
 * out of a capsule is exactly what went in.
 */
import { invalid, SealtrailError } from '../../errors/index.js';
import { JsonNumber } from '../../lib/json-number.js';
import { stringifyJson } from '../../lib/json-text.js';
import { isObject } from './input.js';
import type { Tag } from './tags.js';

/** A field's value; a number keeps its literal text where float64 would change it (JsonNumber). */
export type Scalar = string | number | JsonNumber | boolean | null;

export interface Span {
  start: number;
  end: number;
  tags: Tag[];
}

export interface Field {
  key: string;
  value: Scalar;
  /** Tags on the whole field (match_on_key rules). */
  tags: Tag[];
  /** Tagged ranges of a string value, sorted and non-overlapping. */
  spans: Span[];
}

export interface DataRecord {
  fields: Field[];
  tags: Tag[];
}

export type Shape = { kind: 'text' } | { kind: 'records' } | { kind: 'table'; columns: string[] };

/** Input over this size is refused: capsules are records, not bulk files. */
export const MAX_INPUT_BYTES = 16 * 1024 * 1024;

/** The text record's single field key. */
export const TEXT_KEY = 'data';

/** `where` names the value in the error; it is built only when there is one (a table has many cells). */
function scalar(where: () => string, v: unknown): Scalar {
  if (v === null || typeof v === 'string' || typeof v === 'boolean' || v instanceof JsonNumber) return v;
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  throw invalid(`${where()}: values must be strings, numbers, booleans or null (nested values are not supported)`, 'capsule_invalid_data');
}

const field = (key: string, value: Scalar): Field => ({ key, value, tags: [], spans: [] });

function checkSize(bytes: number): void {
  if (bytes > MAX_INPUT_BYTES) {
    throw new SealtrailError('too_large', 'capsule_too_large', `capsule input is ${bytes} bytes; the limit is ${MAX_INPUT_BYTES} bytes (16 MiB)`);
  }
}

/** Exactly one of `data`, `records`, `table` → shape + plain records (no tags yet). */
export function parseInput(data: Record<string, unknown>): { shape: Shape; records: DataRecord[]; inputBytes: number } {
  const given = ['data', 'records', 'table'].filter((k) => data[k] !== undefined && data[k] !== null);
  if (given.length !== 1) throw invalid('give exactly one of "data" (text), "records" or "table"', 'capsule_invalid_data');

  if (typeof data.data === 'string') {
    const inputBytes = Buffer.byteLength(data.data, 'utf8');
    checkSize(inputBytes);
    return { shape: { kind: 'text' }, records: [{ fields: [field(TEXT_KEY, data.data)], tags: [] }], inputBytes };
  }
  if (data.data !== undefined) throw invalid('"data" must be a string', 'capsule_invalid_data');

  const inputBytes = Buffer.byteLength(stringifyJson(data.records ?? data.table), 'utf8');
  checkSize(inputBytes);

  if (data.records !== undefined) {
    if (!Array.isArray(data.records)) throw invalid('"records" must be a list of JSON objects', 'capsule_invalid_data');
    const records = data.records.map((r, i) => {
      if (!isObject(r)) throw invalid(`records[${i}] must be a JSON object`, 'capsule_invalid_data');
      return { fields: Object.entries(r).map(([k, v]) => field(k, scalar(() => `records[${i}].${k}`, v))), tags: [] };
    });
    return { shape: { kind: 'records' }, records, inputBytes };
  }

  const table = data.table;
  if (!isObject(table) || !Array.isArray(table.columns) || !Array.isArray(table.rows)) {
    throw invalid('"table" must be {columns: [...], rows: [[...], ...]}', 'capsule_invalid_data');
  }
  const columns = table.columns.map((c, i) => {
    if (typeof c !== 'string' || c === '') throw invalid(`table.columns[${i}] must be a non-empty string`, 'capsule_invalid_data');
    return c;
  });
  if (new Set(columns).size !== columns.length) throw invalid('table.columns must be unique', 'capsule_invalid_data');
  const records = table.rows.map((row, i) => {
    if (!Array.isArray(row) || row.length !== columns.length) {
      throw invalid(`table.rows[${i}] must be a list of ${columns.length} values`, 'capsule_invalid_data');
    }
    return { fields: row.map((v, j) => field(columns[j], scalar(() => `table.rows[${i}][${j}]`, v))), tags: [] };
  });
  return { shape: { kind: 'table', columns }, records, inputBytes };
}

/** The caller's shape again, from the records a read returns. */
export function renderOutput(shape: Shape, records: Array<Array<{ key: string; value: Scalar }>>): Record<string, unknown> {
  if (shape.kind === 'text') return { data: records.length === 0 ? '' : String(records[0][0]?.value ?? '') };
  if (shape.kind === 'records') return { records: records.map((r) => Object.fromEntries(r.map((f) => [f.key, f.value]))) };
  return { table: { columns: shape.columns, rows: records.map((r) => r.map((f) => f.value)) } };
}
