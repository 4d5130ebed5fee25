/**
 * The three input shapes — text, JSON records, tables — and the one internal form they share: a
 * list of records, each a list of fields (key + scalar value), read in place from the caller's data.
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

/**
 * A number's literal text, as detectors and rules read it and as it is stored and read back: a
 * JsonNumber's text, a plain number's JSON text (the same: only numbers that write back as they
 * were written stay plain). Undefined for a value that is not a number.
 */
export function numberText(value: Scalar): string | undefined {
  return typeof value === 'number' ? String(value) : value instanceof JsonNumber ? value.text : undefined;
}

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
  /** Tagged ranges of a string value, sorted and non-overlapping; for a number, one over its whole text. */
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

/**
 * Records per chunk of the stored data (body.ts): each chunk is its own JSON text, small enough to
 * be an ordinary string when read back (a string of a megabyte or more costs many times more to
 * make, and to parse from).
 */
export const RECORDS_PER_CHUNK = 128;

/** The JSON texts of `list` in chunks of RECORDS_PER_CHUNK items, each a JSON list. */
export function jsonChunks(list: readonly unknown[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < list.length; i += RECORDS_PER_CHUNK) out.push(stringifyJson(list.slice(i, i + RECORDS_PER_CHUNK)));
  return out;
}

const byteLength = (texts: readonly string[]) => texts.reduce((n, t) => n + Buffer.byteLength(t, 'utf8'), 0);

/** `where` names the value in the error; it is built only when there is one (a table has many cells). */
function scalar(where: () => string, v: unknown): Scalar {
  if (v === null || typeof v === 'string' || typeof v === 'boolean' || v instanceof JsonNumber) return v;
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  throw invalid(`${where()}: values must be strings, numbers, booleans or null (nested values are not supported)`, 'capsule_invalid_data');
}

function checkSize(bytes: number): void {
  if (bytes > MAX_INPUT_BYTES) {
    throw new SealtrailError('too_large', 'capsule_too_large', `capsule input is ${bytes} bytes; the limit is ${MAX_INPUT_BYTES} bytes (16 MiB)`);
  }
}

/** The fields of the input, record by record: keys and values in the same order (views, not copies). */
export interface FieldSource {
  records: number;
  fields(record: number): { keys: readonly string[]; values: readonly Scalar[] };
}

export interface ParsedInput {
  shape: Shape;
  source: FieldSource;
  /** The data as JSON texts, as body.ts stores them: the text, or the records in chunks. */
  dataChunks: string[];
  /** Whether a value is a JsonNumber (the text then needs lib/json-text.ts to read back). */
  keptNumbers: boolean;
  inputBytes: number;
}

/** Checks every value is a scalar; true when one is a JsonNumber. */
function checkValues(source: FieldSource, where: (record: number, key: string, field: number) => string): boolean {
  let kept = false;
  for (let r = 0; r < source.records; r++) {
    const { keys, values } = source.fields(r);
    for (let f = 0; f < values.length; f++) {
      const v = values[f];
      if (typeof v === 'string') continue;
      scalar(() => where(r, keys[f], f), v);
      if (v instanceof JsonNumber) kept = true;
    }
  }
  return kept;
}

/** Exactly one of `data`, `records`, `table` → shape, fields and the data's JSON (no tags yet). */
export function parseInput(data: Record<string, unknown>): ParsedInput {
  const given = ['data', 'records', 'table'].filter((k) => data[k] !== undefined && data[k] !== null);
  if (given.length !== 1) throw invalid('give exactly one of "data" (text), "records" or "table"', 'capsule_invalid_data');

  if (typeof data.data === 'string') {
    const text = data.data;
    const inputBytes = Buffer.byteLength(text, 'utf8');
    checkSize(inputBytes);
    const fields = { keys: [TEXT_KEY], values: [text] };
    return { shape: { kind: 'text' }, source: { records: 1, fields: () => fields }, dataChunks: [JSON.stringify(text)], keptNumbers: false, inputBytes };
  }
  if (data.data !== undefined) throw invalid('"data" must be a string', 'capsule_invalid_data');

  if (data.records !== undefined) {
    if (!Array.isArray(data.records)) throw invalid('"records" must be a list of JSON objects', 'capsule_invalid_data');
    const records = data.records as unknown[];
    const dataChunks = jsonChunks(records);
    const inputBytes = byteLength(dataChunks);
    checkSize(inputBytes);
    records.forEach((r, i) => {
      if (!isObject(r)) throw invalid(`records[${i}] must be a JSON object`, 'capsule_invalid_data');
    });
    const source: FieldSource = {
      records: records.length,
      fields(r) {
        const record = records[r] as Record<string, Scalar>;
        const keys = Object.keys(record);
        return { keys, values: keys.map((k) => record[k]) };
      },
    };
    const keptNumbers = checkValues(source, (i, k) => `records[${i}].${k}`);
    return { shape: { kind: 'records' }, source, dataChunks, keptNumbers, inputBytes };
  }

  const table = data.table;
  if (!isObject(table) || !Array.isArray(table.columns) || !Array.isArray(table.rows)) {
    checkSize(Buffer.byteLength(stringifyJson(table), 'utf8'));
    throw invalid('"table" must be {columns: [...], rows: [[...], ...]}', 'capsule_invalid_data');
  }
  const dataChunks = jsonChunks(table.rows);
  const inputBytes = byteLength(dataChunks) + Buffer.byteLength(stringifyJson(table.columns), 'utf8');
  checkSize(inputBytes);
  const columns = table.columns.map((c, i) => {
    if (typeof c !== 'string' || c === '') throw invalid(`table.columns[${i}] must be a non-empty string`, 'capsule_invalid_data');
    return c;
  });
  if (new Set(columns).size !== columns.length) throw invalid('table.columns must be unique', 'capsule_invalid_data');
  const rows = table.rows as unknown[];
  rows.forEach((row, i) => {
    if (!Array.isArray(row) || row.length !== columns.length) {
      throw invalid(`table.rows[${i}] must be a list of ${columns.length} values`, 'capsule_invalid_data');
    }
  });
  const source: FieldSource = { records: rows.length, fields: (r) => ({ keys: columns, values: rows[r] as Scalar[] }) };
  const keptNumbers = checkValues(source, (i, _k, j) => `table.rows[${i}][${j}]`);
  return { shape: { kind: 'table', columns }, source, dataChunks, keptNumbers, inputBytes };
}
