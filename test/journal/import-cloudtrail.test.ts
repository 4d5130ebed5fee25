import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { manualClock } from '../../src/lib/clock.js';
import { createMemoryStorage } from '../../src/storage/memory/index.js';
import { createEventStore, createTrailManager, createTrailRecorder } from '../../src/trail/index.js';
import { ACCOUNT, KEY_ARN, kmsEvent } from '../trail/fixtures.js';
import { FIXTURES, withImportWorld } from './import-helpers.js';
import { BACKENDS } from './backends.js';

const T0 = Date.UTC(2026, 11, 5, 3, 0, 0);

/** Log files and digests delivered by Sealtrail's own trail into `dir` (bucket `b`, prefix `org`). */
async function deliverTrail(dir: string): Promise<void> {
  const clock = manualClock(T0);
  const store = createEventStore({ path: ':memory:', encryptionKey: new Uint8Array(32).fill(1), clock, purgeIntervalMs: 0 });
  const trails = createTrailManager({
    trails: [{ name: 'main', directory: dir, bucket: 'b', prefix: 'org' }],
    accountId: ACCOUNT, region: 'us-east-1', store: () => store, storage: createMemoryStorage(), clock,
  });
  await trails.start();
  const recorder = createTrailRecorder({ store: () => store });
  for (let i = 0; i < 5; i++) {
    await recorder.record(kmsEvent({
      eventId: `evt-${i}`, requestId: `req-${i}`, eventTime: clock.now(), eventName: i % 2 ? 'Decrypt' : 'GenerateDataKey',
      ...(i === 3 ? { errorCode: 'AccessDeniedException', errorMessage: 'not authorized' } : {}),
    }));
    clock.advance(2000);
    if (i === 1) {
      clock.advance(60_000);
      await trails.deliverNow('main');
    }
  }
  clock.advance(60_000);
  await trails.deliverNow('main');
  await trails.stop();
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => relative(dir, join(e.parentPath, e.name))).sort();
}

for (const backend of BACKENDS) {
  test(`${backend.name}: a trail bucket delivered by Sealtrail: every event once, digests skipped, text as in the file, keys extracted`, async () => {
    await withImportWorld(backend, async (w) => {
      await deliverTrail(w.dir);
      const bucket = join(w.dir, 'b');
      const files = filesUnder(bucket);
      assert.equal(files.filter((f) => f.includes('/CloudTrail/')).length, 2);
      assert.ok(files.some((f) => f.includes('CloudTrail-Digest')), 'the trail wrote digests');

      const summary = await w.run('cloudtrail', [bucket]);
      assert.deepEqual({ files: summary.files, added: summary.added, bad: summary.bad }, { files: 2, added: 5, bad: 0 });
      const records = (await w.all()).sort((a, b) => Number(a.timeNs - b.timeNs));
      assert.deepEqual(records.map((r) => r.keys.requestId), ['req-0', 'req-1', 'req-2', 'req-3', 'req-4']);
      assert.deepEqual(records.map((r) => r.timeNs), [0, 1, 2, 3, 4].map((i) => BigInt(T0 + i * 2000 + (i > 1 ? 60_000 : 0)) * 1_000_000n));
      assert.deepEqual(records[3].keys, {
        requestId: 'req-3', accessKeyId: 'AKIAEXAMPLEALICE0001', userArn: `arn:aws:iam::${ACCOUNT}:user/Alice`, keyArn: KEY_ARN,
        remoteAddress: '192.0.2.0', operation: 'Decrypt', outcome: 'failure',
      });
      // Each record's text is its slice of the delivered file, which holds them joined by commas.
      for (const f of files.filter((x) => x.includes('/CloudTrail/'))) {
        const text = gunzipSync(readFileSync(join(bucket, f))).toString();
        const mine = (await w.all()).filter((r) => r.origin!.file === join(bucket, f));
        assert.equal(text, `{"Records":[${mine.map((r) => r.text).join(',')}]}`);
        assert.deepEqual(mine.map((r) => r.origin!.line), mine.map((_, i) => i + 1));
      }

      const again = await w.run('cloudtrail', [bucket]);
      assert.deepEqual({ added: again.added, duplicates: again.duplicates }, { added: 0, duplicates: 5 });
    });
  });

  test(`${backend.name}: a pretty-printed AWS file: records sliced byte for byte (spacing, 32.0, escapes kept)`, async () => {
    await withImportWorld(backend, async (w) => {
      const file = join(w.dir, 'cloudtrail-aws.json');
      copyFileSync(join(FIXTURES, 'cloudtrail-aws.json'), file);
      const summary = await w.run('cloudtrail', [file]);
      assert.equal(summary.added, 2);
      const [first, second] = (await w.all());
      const text = readFileSync(file, 'utf8');
      assert.ok(text.includes(first.text) && text.includes(second.text));
      assert.ok(first.text.startsWith('{\n      "eventVersion"') && first.text.endsWith('"eventCategory": "Management"\n    }'));
      assert.ok(first.text.includes('"numberOfBytes": 32.0'));
      assert.ok(second.text.includes('"note": "caf\\u00e9 \\"quoted\\""'));
      assert.equal(first.timeNs, BigInt(Date.UTC(2024, 10, 14, 23, 46, 27)) * 1_000_000n);
      assert.equal(second.keys.outcome, 'failure');
      assert.equal(second.keys.keyArn, undefined);
    });
  });

  test(`${backend.name}: a file cut short keeps its whole records and is reported; a non-trail file and bad records are reported`, async () => {
    await withImportWorld(backend, async (w) => {
      const aws = readFileSync(join(FIXTURES, 'cloudtrail-aws.json'), 'utf8');
      const cut = join(w.dir, 'cut.json.gz');
      writeFileSync(cut, gzipSync(aws.slice(0, aws.indexOf('"eventName": "Decrypt"'))));
      const other = join(w.dir, 'other.json');
      writeFileSync(other, '[{"eventTime":"2024-11-14T23:46:27Z"}]');
      const mixed = join(w.dir, 'mixed.json');
      writeFileSync(mixed, '{"Records":[{"eventName":"NoTime"},{"eventTime":"2024-11-14T23:46:28Z","requestID":"ok"},"secret-string"]}');
      // Not JSON (JSON.parse and AWS's tools refuse it): an empty element, and one without a comma before it.
      const commas = join(w.dir, 'commas.json');
      const record = (id: string) => `{"eventTime":"2024-11-14T23:46:29Z","requestID":"${id}"}`;
      writeFileSync(commas, `{"Records":[${record('c1')},,${record('c3')} ${record('c4')}]}`);
      const summary = await w.run('cloudtrail', [cut, other, mixed, commas]);
      assert.deepEqual(summary.reports, [
        { file: cut, reason: 'truncated after 1 records' },
        { file: other, reason: 'not a CloudTrail log file (no {"Records":[...]})' },
        { file: mixed, line: 1, reason: 'missing "eventTime"' },
        { file: mixed, line: 3, reason: 'not a JSON object' },
        { file: commas, line: 2, reason: 'not JSON: an empty element' },
        { file: commas, line: 4, reason: 'not JSON: no comma before it' },
      ]);
      assert.equal(summary.added, 4);
    });
  });

  test(`${backend.name}: an AWS alias event is found by its key: the alias ARN listed first is not the key_arn`, async () => {
    await withImportWorld(backend, async (w) => {
      const file = join(w.dir, 'alias.json');
      const resource = (arn: string) => ({ accountId: ACCOUNT, type: 'AWS::KMS::Key', ARN: arn });
      writeFileSync(file, JSON.stringify({
        Records: [{
          eventVersion: '1.08', eventTime: '2024-11-14T23:46:27Z', eventSource: 'kms.amazonaws.com', eventName: 'CreateAlias',
          requestID: 'alias-1', resources: [resource(`arn:aws:kms:us-east-1:${ACCOUNT}:alias/ExampleAlias`), resource(KEY_ARN)],
        }],
      }));
      assert.equal((await w.run('cloudtrail', [file])).added, 1);
      const [record] = await w.all();
      assert.equal(record.keys.keyArn, KEY_ARN);
    });
  });
}
