/** The http device's options. Header values are credentials: no message ever echoes them. */
import { SealtrailError } from '../../../errors/index.js';
import { optionReader } from '../options.js';
import type { DeviceOptions } from '../types.js';

export interface HttpSettings {
  url: URL;
  headers: Record<string, string>;
  batchMaxLines: number;
  /** 0 = send as soon as the previous POST finished (see index.ts). */
  batchMaxWaitMs: number;
  timeoutMs: number;
  retries: number;
}

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Set by the device itself; a user value would corrupt the request. */
const RESERVED_HEADERS = new Set(['content-type', 'content-length', 'transfer-encoding', 'host', 'connection']);

export function parseHttpOptions(options: DeviceOptions): HttpSettings {
  const opt = optionReader('http', options);
  let url: URL;
  try {
    url = new URL(opt.required('url'));
  } catch (err) {
    if (err instanceof SealtrailError) throw err;
    throw opt.fail('url', 'must be an absolute http:// or https:// URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw opt.fail('url', 'must use http or https');
  if (url.username !== '' || url.password !== '') throw opt.fail('url', 'must not contain credentials; pass them in "headers"');

  const headers: Record<string, string> = {};
  const rawHeaders = opt.get('headers');
  if (rawHeaders !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(rawHeaders);
    } catch {
      throw opt.fail('headers', 'must be a JSON object such as {"Authorization":"Bearer ..."}');
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw opt.fail('headers', 'must be a JSON object of header names to string values');
    }
    for (const [name, value] of Object.entries(parsed)) {
      if (!HEADER_NAME.test(name)) throw opt.fail('headers', `has an invalid header name "${name.slice(0, 64)}"`);
      if (RESERVED_HEADERS.has(name.toLowerCase())) throw opt.fail('headers', `must not set "${name}" (the device sets it)`);
      if (typeof value !== 'string' || /[\r\n\0]/.test(value)) {
        throw opt.fail('headers', `value of "${name}" must be a single-line string`);
      }
      headers[name] = value;
    }
  }

  return {
    url,
    headers,
    batchMaxLines: opt.int('batch_max_lines', 100, { min: 1, max: 100_000 }),
    batchMaxWaitMs: opt.durationMs('batch_max_wait', '0s', { allowZero: true }),
    timeoutMs: opt.durationMs('timeout', '5s'),
    retries: opt.int('retries', 2, { min: 0, max: 10 }),
  };
}
