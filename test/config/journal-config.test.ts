import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '../../src/config/load.js';
import { defaultConfig } from '../../src/config/index.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONNECTION_URL_ENV, journalConnectionUrl } from '../../src/app/journal.js';
import { runServer } from '../../src/app/run.js';

const SECRET = 'hunter2-in-the-url';

test('journal { storage, connection_url }: sqlite by default, postgresql with a URL; a bad value is refused without echoing it', async () => {
  assert.equal((await parseConfig('')).journal.storage, 'sqlite');
  const pg = await parseConfig(`journal {\n  storage = "postgresql"\n  connection_url = "postgresql://sealtrail:${SECRET}@127.0.0.1:5432/sealtrail"\n}\n`);
  assert.equal(pg.journal.storage, 'postgresql');
  assert.equal(pg.journal.connectionUrl, `postgresql://sealtrail:${SECRET}@127.0.0.1:5432/sealtrail`);
  const refused: [string, RegExp][] = [
    ['journal {\n  storage = "mysql"\n}\n', /journal\.storage must be "sqlite" or "postgresql"/],
    [`journal {\n  storage = "postgresql"\n  connection_url = "mysql://u:${SECRET}@h/db"\n}\n`, /journal\.connection_url must be a URL such as "postgres:\/\/user:password@host:5432\/database"/],
    [`journal {\n  storage = "postgresql"\n  connection_url = "postgres://u:${SECRET}@[h/db"\n}\n`, /journal\.connection_url must be a URL such as/],
    [`journal {\n  connection_url = "postgresql://u:${SECRET}@h/db"\n}\n`, /journal\.connection_url is for journal\.storage = "postgresql"/],
    ['journal {\n  storage = 1\n}\n', /journal\.storage must be a non-empty string/],
  ];
  for (const [text, message] of refused) {
    await assert.rejects(parseConfig(text), (err: Error) => message.test(err.message) && !err.message.includes(SECRET), text);
  }
});

test('the PostgreSQL journal takes its URL from the block, else from SEALTRAIL_PG_CONNECTION_URL, else refuses to start', () => {
  const config = defaultConfig();
  const on = { ...config, journal: { ...config.journal, storage: 'postgresql' as const } };
  assert.equal(journalConnectionUrl({ ...on, journal: { ...on.journal, connectionUrl: 'postgresql://a@h/x' } }, { [CONNECTION_URL_ENV]: 'postgresql://b@h/y' }), 'postgresql://a@h/x');
  assert.equal(journalConnectionUrl(on, { [CONNECTION_URL_ENV]: 'postgresql://b@h/y' }), 'postgresql://b@h/y');
  assert.throws(() => journalConnectionUrl(on, {}), /journal\.storage = "postgresql" needs journal\.connection_url, a storage "postgresql" block or SEALTRAIL_PG_CONNECTION_URL/);
});

test('a PostgreSQL journal that cannot be reached stops the start with a message naming it, without its password', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sealtrail-journal-pg-'));
  try {
    const path = join(dir, 'config.hcl');
    // Port 1 on the loopback: nothing listens there, the connection is refused at once.
    writeFileSync(path, `listener "tcp" {\n  address = "127.0.0.1:0"\n  tls_disable = true\n}\nstorage "inmem" {}\njournal {\n  storage = "postgresql"\n  connection_url = "postgres://u:${SECRET}@127.0.0.1:1/db"\n}\n`);
    await assert.rejects(runServer({ configPath: path, handleSignals: false, out: () => {} }), (err: Error) => {
      assert.match(err.message, /^the journal's PostgreSQL database \(journal\.connection_url\) could not be opened: .*ECONNREFUSED/);
      assert.ok(!err.message.includes(SECRET));
      return true;
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a block the server reads once (journal, kms) given twice is refused, not half read', async () => {
  await assert.rejects(parseConfig('journal {\n  enabled = true\n}\njournal {\n  enabled = false\n}\n'), /exactly one journal block is supported/);
  await assert.rejects(parseConfig('kms {\n  region = "us-east-1"\n}\nkms {\n  region = "eu-west-1"\n}\n'), /exactly one kms block is supported/);
  assert.equal((await parseConfig('kms {\n  region = "eu-west-1"\n}\n')).kms.region, 'eu-west-1');
});
