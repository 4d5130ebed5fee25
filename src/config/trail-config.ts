/**
 * `trail "<name>" { bucket, prefix, delivery_interval, digest_interval, directory | s3 { ... } }`
 *
 *   s3 {
 *     endpoint         = "http://127.0.0.1:9000"   # default: AWS's endpoint for the region
 *     region           = "us-east-1"               # default: kms.region
 *     force_path_style = true                      # default: false (virtual-hosted style)
 *     credentials { access_key_id = "...", secret_access_key = "...", session_token = "..." }
 *   }
 *
 * A trail has exactly one destination. Every bad value is its own problem, so one
 * `operator diagnose` run lists them all; a credential is never part of a message.
 */
import { parseDurationMs } from '../lib/time.js';
import { TRAIL_NAME_RULE, isTrailName } from '../lib/trail-name.js';
import { ConfigError, type ConfigProblem } from './config-error.js';
import { allowKeys, asList, asObj, bool, str, type Obj } from './values.js';
import type { TrailConfig, TrailS3Config } from './types.js';

/** The longest delivery or digest interval. */
const MAX_INTERVAL_MS = 24 * 3600_000;

/** S3's bucket naming rules (3 to 63 characters, lowercase, digits, dots and hyphens). */
const S3_BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
/** Region names of AWS and of S3-compatible stores ("us-east-1", "auto", "garage"). */
const REGION = /^[a-z0-9][a-z0-9-]{0,62}$/;
/** CloudTrail's own limit on S3KeyPrefix. */
const MAX_PREFIX = 200;

const hasControl = (s: string) => [...s].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);

/** Collects problems instead of stopping at the first. */
function collector() {
  const problems: ConfigProblem[] = [];
  const attempt = <T>(read: () => T): T | undefined => {
    try {
      return read();
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      problems.push(...err.problems);
      return undefined;
    }
  };
  return { problems, attempt };
}

export function trailBlocks(v: unknown): TrailConfig[] {
  if (v === undefined) return [];
  const { problems, attempt } = collector();
  const out: TrailConfig[] = [];
  for (const [name, bodies] of Object.entries(asObj(v, 'trail'))) {
    for (const body of asList(bodies)) {
      const trail = readTrail(name, body, attempt);
      if (trail) out.push(trail);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems.map((p) => p.message).join('; '), problems);
  return out;
}

type Attempt = ReturnType<typeof collector>['attempt'];

function readTrail(name: string, body: Obj, attempt: Attempt): TrailConfig | undefined {
  const where = `trail "${name}"`;
  let ok = true;
  if (!isTrailName(name)) {
    attempt(() => { throw new ConfigError(`${where}: a trail name must be ${TRAIL_NAME_RULE}`); });
    ok = false;
  }
  /** Reads one value; a problem is collected and marks the trail as unusable. */
  const fail = <T>(read: () => T): T | undefined => {
    const value = attempt(read);
    if (value === undefined) ok = false;
    return value;
  };
  fail(() => { allowKeys(body, ['directory', 's3', 'bucket', 'prefix', 'delivery_interval', 'digest_interval'], where); return true; });
  const interval = (key: string) => {
    if (body[key] === undefined) return undefined;
    const ms = parseDurationMs(body[key]);
    // At most a day: a timer takes no more than 2^31 − 1 ms, and a longer delay would fire at once, every millisecond.
    if (ms === undefined || ms < 1000 || ms > MAX_INTERVAL_MS) throw new ConfigError(`${where} ${key} must be a duration from 1s to 24h`);
    return ms;
  };
  const hasDirectory = body.directory !== undefined;
  const hasS3 = body.s3 !== undefined;
  if (hasDirectory === hasS3) {
    fail((): never => {
      throw new ConfigError(`${where} needs exactly one destination: directory = "<path>" or an s3 { ... } block${hasS3 ? ', not both' : ''}`);
    });
  }
  const directory = hasDirectory ? fail(() => str(body.directory, `${where} directory`)) : undefined;
  const s3 = hasS3 ? fail(() => readS3(where, body.s3)) : undefined;
  const bucket = fail(() => readBucket(where, body.bucket, hasS3));
  const prefix = body.prefix === undefined ? undefined : fail(() => readPrefix(where, body.prefix));
  const deliveryIntervalMs = fail(() => interval('delivery_interval') ?? null);
  const digestIntervalMs = fail(() => interval('digest_interval') ?? null);
  if (!ok || bucket === undefined) return undefined;
  const trail: TrailConfig = { name, bucket, prefix, deliveryIntervalMs: deliveryIntervalMs ?? undefined, digestIntervalMs: digestIntervalMs ?? undefined };
  if (directory !== undefined) trail.directory = directory;
  if (s3 !== undefined) trail.s3 = s3;
  return trail;
}

/** A bucket names a directory too (`<directory>/<bucket>`): never a path of its own. */
function readBucket(where: string, v: unknown, s3: boolean): string {
  const bucket = str(v, `${where} bucket`);
  if (s3 && !S3_BUCKET.test(bucket)) throw new ConfigError(`${where} bucket must be an S3 bucket name: 3 to 63 lowercase letters, digits, dots and hyphens`);
  if (bucket.includes('/') || bucket.includes('\\') || bucket === '.' || bucket === '..') throw new ConfigError(`${where} bucket must not contain "/" or be "." or ".."`);
  return bucket;
}

function readPrefix(where: string, v: unknown): string {
  const prefix = str(v, `${where} prefix`);
  const segments = prefix.replace(/\/+$/, '').split('/');
  if (prefix.length > MAX_PREFIX || prefix.startsWith('/') || segments.some((s) => s === '' || s === '.' || s === '..') || prefix.includes('\\') || hasControl(prefix)) {
    throw new ConfigError(`${where} prefix must be at most ${MAX_PREFIX} characters of "/"-separated names (no leading "/", no empty, "." or ".." names)`);
  }
  return prefix;
}

function readS3(where: string, v: unknown): TrailS3Config {
  const bodies = asList(v);
  if (bodies.length !== 1) throw new ConfigError(`${where} takes one s3 block`);
  const body = bodies[0];
  const at = `${where} s3`;
  const { problems, attempt: check } = collector();
  check(() => allowKeys(body, ['endpoint', 'region', 'force_path_style', 'credentials'], at));
  const s3: TrailS3Config = { forcePathStyle: false };
  if (body.endpoint !== undefined) check(() => { s3.endpoint = readEndpoint(at, body.endpoint); });
  if (body.region !== undefined) {
    check(() => {
      const region = str(body.region, `${at}.region`);
      if (!REGION.test(region)) throw new ConfigError(`${at}.region must be a region name such as us-east-1 (lowercase letters, digits and hyphens)`);
      s3.region = region;
    });
  }
  if (body.force_path_style !== undefined) check(() => { s3.forcePathStyle = bool(body.force_path_style, `${at}.force_path_style`); });
  if (body.credentials !== undefined) check(() => { s3.credentials = readCredentials(at, body.credentials); });
  if (problems.length > 0) throw new ConfigError(problems.map((p) => p.message).join('; '), problems);
  return s3;
}

/** The message never repeats the value: a URL may carry a user name and password. */
function readEndpoint(at: string, v: unknown): string {
  const help = `${at}.endpoint must be an http:// or https:// URL with a host and nothing after it but an optional port, such as http://127.0.0.1:9000`;
  if (typeof v !== 'string' || v === '') throw new ConfigError(help);
  let url: URL;
  try {
    url = new URL(v);
  } catch {
    throw new ConfigError(help);
  }
  if (url.username !== '' || url.password !== '') throw new ConfigError(`${at}.endpoint must not carry a user name or password: put them in the credentials block`);
  if (!['http:', 'https:'].includes(url.protocol) || url.hostname === '' || (url.pathname !== '/' && url.pathname !== '') || url.search !== '' || url.hash !== '') throw new ConfigError(help);
  return `${url.protocol}//${url.host}`;
}

/** Access keys are checked for presence and shape only, and never echoed. */
function readCredentials(at: string, v: unknown): NonNullable<TrailS3Config['credentials']> {
  const bodies = asList(v);
  if (bodies.length !== 1) throw new ConfigError(`${at} takes one credentials block`);
  const body = bodies[0];
  const where = `${at}.credentials`;
  const problems: ConfigProblem[] = [];
  for (const key of Object.keys(body)) {
    if (!['access_key_id', 'secret_access_key', 'session_token'].includes(key)) problems.push({ message: `unknown key "${key}" in ${where} (allowed: access_key_id, secret_access_key, session_token)` });
  }
  const secret = (key: string, required: boolean): string | undefined => {
    const value = body[key];
    if (value === undefined && !required) return undefined;
    if (typeof value !== 'string' || value.trim() === '' || value.length > 4096 || /\s/.test(value) || hasControl(value)) {
      problems.push({ message: `${where}.${key} must be a non-empty string without spaces or control characters (its value is not shown)` });
      return undefined;
    }
    return value;
  };
  const accessKeyId = secret('access_key_id', true);
  const secretAccessKey = secret('secret_access_key', true);
  const sessionToken = secret('session_token', false);
  if (problems.length > 0 || accessKeyId === undefined || secretAccessKey === undefined) throw new ConfigError(problems.map((p) => p.message).join('; '), problems);
  return sessionToken === undefined ? { accessKeyId, secretAccessKey } : { accessKeyId, secretAccessKey, sessionToken };
}
