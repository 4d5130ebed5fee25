/**
 * The README's "Running a real server", read from README.md at test time: its configuration
 * block (paths moved to a temporary directory, port 0) starts a server, and every command of the
 * walkthrough runs as written apart from its placeholders: init with seal "file", unseal, a KV
 * mount, a KMS user whose keys sign an AWS CLI call, trail delivery and validate-logs. A restart
 * then unseals itself from the key file the walkthrough saved.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runServer, type RunningServer } from '../../src/app/index.js';
import { fencedBlocks, readmeSection, shellCommands, userEnv, walkthrough, type Ran } from '../helpers/readme.js';
import { call } from '../helpers/server.js';

let dir: string;
let home: string;
let configPath: string;
let server: RunningServer | undefined;
/** The README's paths, each moved under the test's temporary directory. */
let paths: Array<[string, string]>;

const section = readmeSection('Running a real server');

async function start(): Promise<RunningServer> {
  return runServer({ configPath, handleSignals: false, logLevel: 'error', out: () => undefined });
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sealtrail-readme-server-'));
  home = join(dir, 'home');
  mkdirSync(home);
  paths = [['/var/lib/sealtrail', join(dir, 'lib')], ['/var/log/sealtrail', join(dir, 'log')], ['/etc/sealtrail', join(dir, 'etc')]];
  const blocks = fencedBlocks(section, 'hcl');
  assert.equal(blocks.length, 1, 'the section has one configuration block');
  let config = blocks[0];
  assert.ok(config.includes('"127.0.0.1:8200"'), 'the configuration listens on 127.0.0.1:8200');
  config = config.replace('"127.0.0.1:8200"', '"127.0.0.1:0"');
  for (const [from, to] of paths) config = config.split(from).join(to);
  // Nothing outside the temporary directory is written.
  assert.doesNotMatch(config, /"\/(var|etc)\//);
  configPath = join(dir, 'sealtrail.hcl');
  writeFileSync(configPath, config);
  server = await start();
});

after(async () => {
  await server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const fromOutput = (pattern: RegExp) => (ran: Ran[]) => {
  for (const r of ran) {
    const m = pattern.exec(r.stdout);
    if (m) return m[1];
  }
  return undefined;
};

const outputOf = (ran: Ran[], fragment: string) => {
  const found = ran.find((r) => r.command.includes(fragment));
  assert.ok(found, `the walkthrough has no command containing "${fragment}"`);
  return found.stdout;
};

test('the README walkthrough sets up a real server: init, seal file, KV, a KMS user, a validated trail', async () => {
  const blocks = fencedBlocks(section, 'sh');
  const [serverCommand, ...rest] = blocks.flatMap(shellCommands);
  // The server itself is the one this test started from the same configuration.
  assert.equal(serverCommand, './bin/sealtrail server -config=sealtrail.hcl');
  assert.equal((await server!.core.seal.status()).initialized, false, 'a new server waits to be initialized');

  const steps = walkthrough({
    cwd: home,
    env: userEnv(home),
    replace: [['http://127.0.0.1:8200', server!.address], ...paths],
    placeholders: {
      'unseal key': fromOutput(/^Unseal Key 1: (\S+)$/m),
      'root token': fromOutput(/^Initial Root Token: (\S+)$/m),
      access_key_id: fromOutput(/^access_key_id\s+(\S+)$/m),
      secret_access_key: fromOutput(/^secret_access_key\s+(\S+)$/m),
    },
    timeoutMs: 60_000, // per command: a CLI start takes seconds on a loaded machine
  });
  for (const command of rest) await steps.run(command);
  const ran = steps.ran;

  assert.match(outputOf(ran, 'operator init'), /initialized with 1 key shares and a key threshold of 1/);
  assert.equal((await server!.core.seal.status()).sealed, false);
  assert.equal(statSync(join(dir, 'etc', 'unseal.key')).mode & 0o777, 0o600);
  assert.match(outputOf(ran, 'secrets enable'), /Enabled the kv-v2 secrets engine at: secret\//);

  // The AWS CLI call was signed with the new user's keys, and recorded as that user's.
  const keyId = JSON.parse(outputOf(ran, 'kms create-key')).KeyMetadata.KeyId as string;
  const rootToken = fromOutput(/^Initial Root Token: (\S+)$/m)(ran)!;
  const events = await call(server!.address, 'POST', 'trail/aws/LookupEvents', {
    token: rootToken, body: { LookupAttributes: [{ AttributeKey: 'ResourceName', AttributeValue: keyId }] },
  });
  assert.equal(events.status, 200, events.text);
  const createKey = (events.json.data.Events as Array<{ EventName: string; Username: string }>).find((e) => e.EventName === 'CreateKey');
  assert.equal(createKey?.Username, 'app');

  // The trail delivered a log file and a signed digest, and both validate.
  const validated = outputOf(ran, 'trail validate-logs');
  assert.match(validated, /^Digest file\s+s3:\/\/audit-bucket\/sealtrail\/AWSLogs\/111122223333\/CloudTrail-Digest\/us-east-1\/\S+\tvalid$/m);
  assert.match(validated, /^Log file\s+s3:\/\/audit-bucket\/sealtrail\/AWSLogs\/111122223333\/CloudTrail\/us-east-1\/\S+\tvalid$/m);
  assert.match(validated, /\b1\/1 digest files valid\b/);
  // The rate limit quotas are in force, as read back.
  assert.match(outputOf(ran, 'read sys/quotas/rate-limit/kms'), /^block_interval\s+60$/m);
  assert.match(outputOf(ran, 'read sys/quotas/rate-limit/kms'), /^path\s+kms\/$/m);
  assert.deepEqual(server!.core.unsealedServices?.quotas?.names(), ['global', 'kms']);
});

test('after a restart the server unseals itself from the seal file the walkthrough wrote', async () => {
  assert.equal(statSync(join(dir, 'etc', 'unseal.key')).isFile(), true, 'the walkthrough ran first');
  await server!.close();
  server = undefined;
  server = await start();
  const status = await server.core.seal.status();
  assert.deepEqual({ initialized: status.initialized, sealed: status.sealed }, { initialized: true, sealed: false });
  assert.deepEqual(server.core.unsealedServices?.quotas?.names(), ['global', 'kms'], 'the quotas are kept in storage');
});
