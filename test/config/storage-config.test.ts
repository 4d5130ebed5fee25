import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '../../src/config/load.js';
import { postgresStorage } from '../../src/config/storage-config.js';
import { journalConnectionUrl } from '../../src/config/types.js';

const URL_WITH_PASSWORD = 'postgres://sealtrail:s3cr3t-pw@db.example:5432/st';

test('storage "postgresql": OpenBao defaults; api_addr kept as an origin', async () => {
  const cfg = await parseConfig(`
api_addr = "https://node1.example.com:8200/"
storage "postgresql" {
  connection_url = "${URL_WITH_PASSWORD}"
}`);
  assert.deepEqual(cfg.storage, {
    type: 'postgresql', connectionUrl: URL_WITH_PASSWORD, table: 'sealtrail_kv_store', maxParallel: 128, haEnabled: false, haLockTtlMs: 15_000,
  });
  assert.equal(cfg.apiAddr, 'https://node1.example.com:8200');
});

test('storage "postgresql": every setting, and the environment URL wins over the file', () => {
  const cfg = postgresStorage({ connection_url: URL_WITH_PASSWORD, table: 'vault.kv', max_parallel: 8, ha_enabled: true, ha_lock_ttl: '5s' }, 'postgres://other@h/db');
  assert.deepEqual(cfg, { type: 'postgresql', connectionUrl: 'postgres://other@h/db', table: 'vault.kv', maxParallel: 8, haEnabled: true, haLockTtlMs: 5000 });
  assert.equal(postgresStorage({}, 'postgres://env@h/db').connectionUrl, 'postgres://env@h/db');
});

test('storage "postgresql": SEALTRAIL_PG_CONNECTION_URL supplies the URL when the file has none', async () => {
  const saved = process.env.SEALTRAIL_PG_CONNECTION_URL;
  process.env.SEALTRAIL_PG_CONNECTION_URL = 'postgres://from-env@db/st';
  try {
    const cfg = await parseConfig('storage "postgresql" {\n  ha_enabled = false\n}');
    assert.equal(cfg.storage.type === 'postgresql' && cfg.storage.connectionUrl, 'postgres://from-env@db/st');
  } finally {
    if (saved === undefined) delete process.env.SEALTRAIL_PG_CONNECTION_URL;
    else process.env.SEALTRAIL_PG_CONNECTION_URL = saved;
  }
});

test('storage "postgresql": bad values are refused by name, and no message repeats the URL or its password', async () => {
  const cases: Array<[string, RegExp]> = [
    ['storage "postgresql" {}', /connection_url is required/],
    ['storage "postgresql" { connection_url = "mysql://u:s3cr3t-pw@h/db" }', /connection_url must be a URL/],
    ['storage "postgresql" { connection_url = "not a url s3cr3t-pw" }', /connection_url must be a URL/],
    [`storage "postgresql" {\n connection_url = "${URL_WITH_PASSWORD}"\n table = "kv; DROP TABLE x"\n}`, /storage.table must be a plain identifier/],
    [`storage "postgresql" {\n connection_url = "${URL_WITH_PASSWORD}"\n max_parallel = 0\n}`, /max_parallel must be an integer from 1 to 1024/],
    [`storage "postgresql" {\n connection_url = "${URL_WITH_PASSWORD}"\n ha_lock_ttl = "1s"\n}`, /ha_lock_ttl must be a duration from 3s to 10m/],
    [`storage "postgresql" {\n connection_url = "${URL_WITH_PASSWORD}"\n password = "x"\n}`, /unknown key "password"/],
    [`storage "postgresql" {\n connection_url = "${URL_WITH_PASSWORD}"\n ha_enabled = true\n}`, /api_addr is required with ha_enabled/],
    [`api_addr = "https://u:p@node1:8200"\nstorage "inmem" {}`, /api_addr must be an http or https address/],
    [`api_addr = "https://node1:8200/redirect?to=x"\nstorage "inmem" {}`, /api_addr must be an http or https address/],
    [`api_addr = "javascript:alert(1)"\nstorage "inmem" {}`, /api_addr must be an http or https address/],
  ];
  for (const [text, re] of cases) {
    const err = await parseConfig(text).then(() => undefined, (e: Error) => e);
    assert.ok(err, `refused: ${text}`);
    assert.match(err.message, re);
    assert.doesNotMatch(err.message, /s3cr3t-pw/);
  }
});

test('on PostgreSQL storage the journal goes into the same database; with HA it must', async () => {
  const pgStorage = (ha: boolean) => `storage "postgresql" {\n  connection_url = "postgres://u:hunter2@127.0.0.1/db"\n  ha_enabled = ${ha}\n}\napi_addr = "http://127.0.0.1:8200"\n`;
  const plain = await parseConfig(pgStorage(false));
  assert.equal(plain.journal.storage, 'postgresql');
  assert.equal(journalConnectionUrl(plain, {}), 'postgres://u:hunter2@127.0.0.1/db');
  assert.equal((await parseConfig(`${pgStorage(false)}journal {\n  path = "/var/lib/j.db"\n}\n`)).journal.storage, 'sqlite');
  const err = await parseConfig(`${pgStorage(true)}journal {\n  storage = "sqlite"\n}\n`).then(() => undefined, (e: Error) => e);
  assert.match(err?.message ?? '', /with ha_enabled the journal must be on PostgreSQL/);
  assert.doesNotMatch(err?.message ?? '', /hunter2/);
  assert.equal((await parseConfig(`${pgStorage(true)}journal {\n  enabled = false\n}\n`)).journal.enabled, false);
});
