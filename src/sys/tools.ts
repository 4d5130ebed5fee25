/**
 * sys/tools, Vault's utility endpoints:
 *
 *   POST tools/random[/<source>][/<bytes>]  {bytes, format, source}  → { random_bytes }
 *   POST tools/hash[/<algorithm>]          {input, algorithm, format} → { sum }
 *
 * random: `bytes` 1..131072 (default 32), `format` base64 (default) or hex, `source` platform,
 * seal or all (all the same here: the operating system's CSPRNG). hash: `input` is base64;
 * `algorithm` sha2-224/256/384/512 or sha3-224/256/384/512 (default sha2-256); `format` hex
 * (default) or base64. The answers are data like any other: audit devices HMAC them.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { PathRequest, PathSpec } from '../core/index.js';
import { invalid } from '../errors/index.js';
import { getOwn } from '../lib/safe-object.js';

const MAX_RANDOM_BYTES = 128 * 1024;
const SOURCES = new Set(['platform', 'seal', 'all']);
const ALGORITHMS: Record<string, string> = {
  'sha2-224': 'sha224', 'sha2-256': 'sha256', 'sha2-384': 'sha384', 'sha2-512': 'sha512',
  'sha3-224': 'sha3-224', 'sha3-256': 'sha3-256', 'sha3-384': 'sha3-384', 'sha3-512': 'sha3-512',
};

/** A URL segment wins over the body field of the same name, as in Vault. */
function param(req: PathRequest, name: string): unknown {
  return req.params[name] ?? req.data[name];
}

function encode(bytes: Buffer, format: unknown, fallback: 'hex' | 'base64'): string {
  const f = format === undefined || format === '' ? fallback : format;
  if (f !== 'hex' && f !== 'base64') throw invalid('unsupported encoding "format": must be "hex" or "base64"', 'invalid_request');
  return bytes.toString(f);
}

function random(req: PathRequest) {
  // /tools/random/<bytes> or /tools/random/<source>[/<bytes>]
  let source = param(req, 'source') ?? 'platform';
  let rawBytes = param(req, 'bytes');
  if (typeof source === 'string' && /^\d+$/.test(source) && req.params.bytes === undefined) {
    rawBytes = source;
    source = req.data.source ?? 'platform';
  }
  if (typeof source !== 'string' || !SOURCES.has(source)) throw invalid('unsupported entropy source; must be "platform", "seal" or "all"', 'invalid_request');
  const bytes = rawBytes === undefined || rawBytes === '' ? 32 : Number(rawBytes);
  if (!Number.isInteger(bytes) || bytes < 1 || bytes > MAX_RANDOM_BYTES) {
    throw invalid(`"bytes" must be an integer from 1 to ${MAX_RANDOM_BYTES}`, 'invalid_request');
  }
  return { data: { random_bytes: encode(randomBytes(bytes), req.data.format, 'base64') } };
}

function hash(req: PathRequest) {
  const name = param(req, 'algorithm') ?? 'sha2-256';
  const algorithm = typeof name === 'string' ? getOwn(ALGORITHMS, name) : undefined;
  if (!algorithm) throw invalid(`unsupported algorithm "${String(name).slice(0, 32)}"`, 'invalid_request');
  const input = req.data.input;
  if (typeof input !== 'string' || input === '') throw invalid('"input" is required (base64)', 'invalid_request');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(input) || input.length % 4 !== 0) throw invalid('unable to decode input as base64', 'invalid_request');
  const sum = createHash(algorithm).update(Buffer.from(input, 'base64')).digest();
  return { data: { sum: encode(sum, req.data.format, 'hex') } };
}

export function toolPaths(): PathSpec[] {
  return [
    { pattern: 'tools/random(?:/(?<source>[^/]+))?(?:/(?<bytes>[^/]+))?', handlers: { update: async (req) => random(req) } },
    { pattern: 'tools/hash(?:/(?<algorithm>[^/]+))?', handlers: { update: async (req) => hash(req) } },
  ];
}
