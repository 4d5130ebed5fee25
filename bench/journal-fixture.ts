/**
 * A large journal for the query and export benchmarks: realistic records (Vault request/response
 * pairs, CloudTrail KMS events, capsule records, attestation logins) spread over many entities,
 * accessors, paths, keys, access key ids, capsules and addresses, ~5% failures, ~10% imported
 * (inserted later than their time, with an origin), written through the journal's own writer in
 * transactions of BATCH records. Built once per record count and schema, and cached in the
 * system's temporary directory (never in the repository): a 10M-record journal takes minutes.
 */
import { createHash } from 'node:crypto';
import { existsSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openJournalDatabase } from '../src/journal/schema.js';
import { createJournalWriter } from '../src/journal/writer.js';
import type { JournalAppend, JournalKeys } from '../src/journal/types.js';

/** Records per write transaction while building. */
const BATCH = 50_000;
/** Every entity has about this many records of its own (the timeline's subject). */
export const RECORDS_PER_ENTITY = 100;
const T0 = 1_796_000_000_000_000_000n;
/** Mean time between records: 10M records span about 30 days. */
const STEP_NS = 260_000_000n;

/** The pools keys are drawn from, sized for `records`. */
export function poolSizes(records: number) {
  const entities = Math.max(10, Math.round((records * 0.97) / RECORDS_PER_ENTITY));
  return {
    entities,
    accessors: entities * 3,
    remoteAddresses: Math.max(10, Math.round(records / 200)),
    paths: 2000,
    keyArns: Math.max(10, Math.round(records / 500)),
    accessKeyIds: Math.max(10, Math.round(records / 1000)),
    capsules: Math.max(10, Math.round(records / 100)),
  };
}

/** mulberry32: a small, fast, seeded PRNG (the same journal for the same count, the same draws for a seed). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const hex = (n: number, width: number) => (n >>> 0).toString(16).padStart(width, '0').slice(-width);
export const entityId = (n: number) => `e${hex(n * 2654435761, 8)}-7c1d-4f0a-9b3e-${String(n).padStart(12, '0')}`;
export const accessorOf = (n: number) => `hmac-sha256:${hex(n * 2246822519, 8)}${hex(n * 3266489917, 8)}${'0'.repeat(40)}${hex(n, 8)}`;
export const remoteAddress = (n: number) => `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
export const keyArn = (n: number) => `arn:aws:kms:us-east-1:123456789012:key/${hex(n * 668265263, 8)}-4b1c-4d2e-8f3a-${String(n).padStart(12, '0')}`;
export const accessKeyId = (n: number) => `AKIA${String(n).padStart(16, '0')}`;
export const capsuleId = (n: number) => `cap-${hex(n * 374761393, 8)}${String(n).padStart(8, '0')}`;
const requestId = (n: number) => `${hex(n * 2654435761, 8)}-${hex(n >>> 16, 4)}-4${hex(n, 3)}-9${hex(n * 7, 3)}-${String(n).padStart(12, '0')}`;
const correlationId = (n: number) => `corr-${String(n).padStart(10, '0')}`;

const MOUNTS = ['secret/data/', 'secret/metadata/', 'transit/encrypt/', 'transit/decrypt/', 'auth/token/', 'sys/', 'pki/issue/', 'database/creds/'];
export function pathOf(n: number): string {
  const mount = MOUNTS[n % MOUNTS.length];
  return `${mount}team-${n % 97}/app-${n}`;
}

const rfc = (ns: bigint) => new Date(Number(ns / 1_000_000n)).toISOString().replace('Z', `${String(ns % 1_000_000n).padStart(6, '0')}Z`);

/** One Vault entry's text, shaped as a file device writes it (HMAC'd values). */
function vaultText(type: 'request' | 'response', time: bigint, k: Required<Pick<JournalKeys, 'requestId' | 'accessor' | 'entityId' | 'remoteAddress' | 'path' | 'operation'>>, failed: boolean, correlation?: string): string {
  const auth = `{"client_token":"hmac-sha256:${'ab'.repeat(32)}","accessor":"${k.accessor}","display_name":"token-app","policies":["default","app"],"token_policies":["default","app"],"entity_id":"${k.entityId}","token_type":"service","token_ttl":2764800,"token_issue_time":"2026-12-01T10:00:00Z"}`;
  const request = `{"id":"${k.requestId}","operation":"${k.operation}","mount_type":"kv","client_token":"hmac-sha256:${'ab'.repeat(32)}","client_token_accessor":"${k.accessor}","namespace":{"id":"root"},"path":"${k.path}","remote_address":"${k.remoteAddress}","remote_port":53122${correlation ? `,"data":{"correlation_id":"${correlation}"}` : ''}}`;
  const response = type === 'response' ? `,"response":{"mount_type":"kv","data":{"data":{"password":"hmac-sha256:${'cd'.repeat(32)}"},"metadata":{"version":3}}}` : '';
  return `{"time":"${rfc(time)}","type":"${type}","auth":${auth},"request":${request}${response}${failed ? ',"error":"permission denied"' : ''}}`;
}

function cloudTrailText(time: bigint, k: Required<Pick<JournalKeys, 'requestId' | 'accessKeyId' | 'userArn' | 'keyArn' | 'remoteAddress' | 'operation' | 'entityId'>>, failed: boolean): string {
  return `{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","arn":"${k.userArn}","accountId":"123456789012","accessKeyId":"${k.accessKeyId}"},"eventTime":"${rfc(time).slice(0, 19)}Z","eventSource":"kms.amazonaws.com","eventName":"${k.operation}","awsRegion":"us-east-1","sourceIPAddress":"${k.remoteAddress}","userAgent":"aws-sdk-js/3.0","requestParameters":{"keyId":"${k.keyArn}","encryptionAlgorithm":"SYMMETRIC_DEFAULT"},"responseElements":null,"additionalEventData":{"entityId":"${k.entityId}"},"requestID":"${k.requestId}","eventID":"${k.requestId}","readOnly":true,"resources":[{"accountId":"123456789012","type":"AWS::KMS::Key","ARN":"${k.keyArn}"}],"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"123456789012","eventCategory":"Management"${failed ? ',"errorCode":"AccessDeniedException","errorMessage":"denied"' : ''}}`;
}

/**
 * The records of one step of the generator (a pair, an event, a login...), in arrival order.
 * `n` numbers the step: request ids and correlation ids derive from it, so they are unique.
 */
function step(n: number, time: bigint, rnd: () => number, pools: ReturnType<typeof poolSizes>): JournalAppend[] {
  const pick = (size: number) => Math.floor(rnd() * size);
  const entity = pick(pools.entities);
  const failed = rnd() < 0.05;
  const outcome = failed ? 'failure' as const : 'success' as const;
  const reqId = requestId(n);
  const ent = entityId(entity);
  const accessor = accessorOf(entity * 3 + pick(3));
  const addr = remoteAddress(pick(pools.remoteAddresses));
  const r = rnd();
  if (r < 0.55) {
    const keys = { requestId: reqId, accessor, entityId: ent, remoteAddress: addr, path: pathOf(pick(pools.paths)), operation: rnd() < 0.8 ? 'read' : 'update' };
    return (['request', 'response'] as const).map((type, i) => ({
      kind: `vault-${type}` as const, timeNs: time + BigInt(i) * 1_234_567n, text: vaultText(type, time + BigInt(i) * 1_234_567n, keys, failed), keys: { ...keys, outcome },
    }));
  }
  if (r < 0.8) {
    // A KMS call through Sealtrail: its CloudTrail event, and (half the time) the Vault pair of the same request.
    const k = {
      requestId: reqId, accessKeyId: accessKeyId(pick(pools.accessKeyIds)), userArn: `arn:aws:iam::123456789012:user/app-${entity % 5000}`,
      keyArn: keyArn(pick(pools.keyArns)), remoteAddress: addr, operation: rnd() < 0.5 ? 'Decrypt' : 'GenerateDataKey', entityId: ent,
    };
    const out: JournalAppend[] = [{ kind: 'cloudtrail', timeNs: time, text: cloudTrailText(time, k, failed), keys: { ...k, outcome } }];
    return out;
  }
  if (r < 0.93) {
    const cap = capsuleId(pick(pools.capsules));
    const session = `sess-${hex(n, 8)}`;
    const text = `{"time":"${rfc(time)}","request_id":"${reqId}","capsule":"${cap}","session":"${session}","operation":"read","domain":"customers","principal":{"entity_id":"${ent}","name":"app"},"columns":["email","ssn"],"rows":${pick(500)}${failed ? ',"error":"policy denied"' : ''}}`;
    return [{ kind: 'capsule-access', timeNs: time, text, keys: { requestId: reqId, capsule: cap, session, entityId: ent, operation: 'read', outcome } }];
  }
  if (r < 0.945) {
    const path = `capsule/${pick(100)}/open`;
    const text = `{"time":"${rfc(time)}","request_id":"${reqId}","session":"sess-${hex(n, 8)}","url":"/v1/${path}","summary":"open capsule","description":{"entity_id":"${ent}","method":"POST"}}`;
    return [{ kind: 'capsule-control', timeNs: time, text, keys: { requestId: reqId, session: `sess-${hex(n, 8)}`, entityId: ent, path, operation: 'POST', outcome: 'success' } }];
  }
  if (r < 0.9999) {
    // An attestation login: the verification, then the login's Vault pair, joined by the correlation id.
    const corr = correlationId(n);
    const att = `{"type":"attestation","time":"${rfc(time)}","correlation_id":"${corr}","platform":"aws-nitro","module_id":"i-0abc${hex(n, 8)}-enc","pcrs":{"0":"${'e3'.repeat(48)}","8":"${'7a'.repeat(48)}"},"verified":${!failed}${failed ? ',"error":"PCR0 mismatch"' : ''}}`;
    const keys = { requestId: reqId, accessor, entityId: ent, remoteAddress: addr, path: 'auth/apm/login', operation: 'update', correlationId: corr };
    return [
      { kind: 'attestation', timeNs: time, text: att, keys: { correlationId: corr, outcome } },
      ...(['request', 'response'] as const).map((type, i) => ({
        kind: `vault-${type}` as const, timeNs: time + BigInt(i + 1) * 1_000_000n, text: vaultText(type, time + BigInt(i + 1) * 1_000_000n, keys, failed, corr), keys: { ...keys, outcome },
      })),
    ];
  }
  return [{ kind: 'server', timeNs: time, text: `{"time":"${rfc(time)}","event":"reload","detail":"configuration reloaded"}`, keys: {} }];
}

/**
 * A fingerprint of what queries depend on (the records table, its indexes, the page size): a
 * cached journal made otherwise is rebuilt.
 */
export function schemaVersion(): string {
  const db = openJournalDatabase(':memory:');
  try {
    const sql = (db.prepare("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND tbl_name = 'records' ORDER BY name").pluck().all() as string[]).join('\n');
    return createHash('sha256').update(sql).update(String(db.pragma('page_size', { simple: true }))).digest('hex').slice(0, 12);
  } finally {
    db.close();
  }
}

export interface Fixture {
  path: string;
  records: number;
  /** Seconds spent building now (0 when the cached file was reused). */
  buildSeconds: number;
  buildCpuSeconds: number;
  bytes: number;
}

/** Builds (or reuses) a journal of about `records` records (exactly `records`, cut at the last step). */
export function journalFixture(records: number, log: (line: string) => void = () => undefined): Fixture {
  const path = join(tmpdir(), `sealtrail-bench-journal-${records}-${schemaVersion()}.db`);
  if (existsSync(path)) return { path, records, buildSeconds: 0, buildCpuSeconds: 0, bytes: statSync(path).size };
  const building = `${path}.building`;
  for (const suffix of ['', '-wal', '-shm']) rmSync(building + suffix, { force: true });
  const cpu0 = process.cpuUsage();
  const wall0 = performance.now();
  const db = openJournalDatabase(building);
  db.pragma('cache_size = -1048576');
  const writer = createJournalWriter(db);
  const pools = poolSizes(records);
  const rnd = prng(records);
  let written = 0;
  let n = 0;
  let time = T0;
  while (written < records) {
    const live: JournalAppend[] = [];
    const imported: JournalAppend[] = [];
    const want = Math.min(BATCH, records - written);
    while (live.length + imported.length < want) {
      time += BigInt(Math.floor(rnd() * Number(STEP_NS) * 2));
      const recs = step(n++, time, rnd, pools).slice(0, want - live.length - imported.length);
      // ~10% arrive through an import, later than their time: from a log of 2 days before.
      if (rnd() < 0.1 && time > T0 + 172_800_000_000_000n) {
        const back = 172_800_000_000_000n;
        for (const r of recs) imported.push({ ...r, timeNs: r.timeNs - back, origin: { file: `/var/log/vault/audit.log.${n % 7}`, line: n } });
      } else live.push(...recs);
    }
    writer.appendAll(live);
    const outcome = writer.importAll(imported);
    written += live.length + outcome.added;
    if ((written / BATCH) % 20 === 0) log(`  ${written.toLocaleString('en-US')} records, ${((performance.now() - wall0) / 1000).toFixed(0)} s`);
  }
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  renameSync(building, path);
  for (const suffix of ['-wal', '-shm']) rmSync(building + suffix, { force: true });
  const cpu = process.cpuUsage(cpu0);
  return { path, records, buildSeconds: (performance.now() - wall0) / 1000, buildCpuSeconds: (cpu.user + cpu.system) / 1e6, bytes: statSync(path).size };
}
