/**
 * `key=value` arguments → a data object, with the vault CLI's rules (go-secure-stdlib/kv-builder):
 *   key=value       a string value; a repeated key collects its values into a list
 *   key=@file       the file's contents      key=\@x   the literal "@x"
 *   key=-           stdin's contents (stdin may be used once)
 *   -               a JSON object read from stdin, merged in
 *   @file           a JSON object read from the file, merged in
 * Each file, and stdin, is read up to MAX_REQUEST_INPUT_BYTES (input-limits.ts), and JSON nested
 * at most MAX_REQUEST_INPUT_DEPTH levels: the data goes to the server in a request body.
 */
import { nestsDeeper } from '../lib/json-depth.js';
import { usageError } from './failure.js';
import { MAX_REQUEST_INPUT_BYTES, MAX_REQUEST_INPUT_DEPTH, readFileText, readStdinText, type StdinSource } from './input-limits.js';

/** Where `-` reads from (CliIo is one). */
export type KvSources = StdinSource;

export async function parseKeyValueArgs(args: readonly string[], sources: KvSources): Promise<Record<string, unknown>> {
  const result: Record<string, unknown> = {};
  let stdinUsed = false;
  const stdinOnce = async () => {
    if (stdinUsed) throw usageError('stdin already consumed: "-" may be used once');
    stdinUsed = true;
    return readStdinText(sources, MAX_REQUEST_INPUT_BYTES);
  };
  const readNamed = (path: string) => readFileText(path, MAX_REQUEST_INPUT_BYTES);

  for (const raw of args) {
    if (raw === '') continue;
    const eq = raw.indexOf('=');
    if (eq < 0) {
      if (raw === '-') Object.assign(result, parseJsonObject(await stdinOnce(), 'stdin'));
      else if (raw.startsWith('@')) Object.assign(result, parseJsonObject(await readNamed(raw.slice(1)), raw.slice(1)));
      else throw usageError(`invalid key/value pair "${raw}": format must be key=value`);
      continue;
    }
    const key = raw.slice(0, eq);
    let value = raw.slice(eq + 1);
    if (value.startsWith('@')) value = await readNamed(value.slice(1));
    else if (value.startsWith('\\@')) value = value.slice(1);
    else if (value === '-') value = await stdinOnce();

    const existing = result[key];
    if (existing === undefined) result[key] = value;
    else result[key] = Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  return result;
}

/** Key=value data where every value must be a string (audit options, custom metadata). */
export async function parseStringMap(args: readonly string[], sources: KvSources): Promise<Record<string, string>> {
  const data = await parseKeyValueArgs(args, sources);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(data)) {
    if (typeof v === 'string') out[k] = v;
    else if (typeof v === 'number' || typeof v === 'boolean') out[k] = String(v);
    else throw usageError(`value of "${k}" must be a single string`);
  }
  return out;
}

function parseJsonObject(text: string, source: string): Record<string, unknown> {
  if (nestsDeeper(text, MAX_REQUEST_INPUT_DEPTH)) {
    throw usageError(`failed to parse JSON from ${source}: nested deeper than ${MAX_REQUEST_INPUT_DEPTH} levels, more than a server takes (max_request_json_depth)`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw usageError(`failed to parse JSON from ${source}: not valid JSON`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw usageError(`failed to parse JSON from ${source}: expected a JSON object`);
  }
  return value as Record<string, unknown>;
}
