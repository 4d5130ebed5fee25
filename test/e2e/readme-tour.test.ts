/**
 * The README's "A short tour", read from README.md at test time: every command (and the curl
 * example in its prose) runs, as written apart from its placeholders, against a dev server, with
 * the real CLI (dist/, built by `npm test`), the AWS CLI and bash; each exits 0, and the outputs
 * that make the tour's point are checked.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fencedBlocks, inlineCommands, readmeSection, shellCommands, userEnv, walkthrough, type Ran } from '../helpers/readme.js';
import { startDevServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
let home: string;

before(async () => {
  server = await startDevServer();
  home = mkdtempSync(join(tmpdir(), 'sealtrail-tour-'));
});

after(async () => {
  await server?.stop();
  if (home) rmSync(home, { recursive: true, force: true });
});

/** The value printed after `<label>:` in the dev server's banner. */
function printed(label: string): string {
  const line = server.lines.find((l) => l.startsWith(`${label}: `));
  assert.ok(line, `the dev server printed no "${label}:" line`);
  return line.slice(label.length + 2).trim();
}

const outputOf = (ran: Ran[], fragment: string) => {
  const found = ran.find((r) => r.command.includes(fragment));
  assert.ok(found, `the tour has no command containing "${fragment}"`);
  return found.stdout;
};

test('every command of the README tour runs against a dev server', async () => {
  const section = readmeSection('A short tour');
  const blocks = fencedBlocks(section, 'sh');
  assert.equal(blocks.length, 1, 'the tour is one sh block');
  const commands = shellCommands(blocks[0]);
  assert.ok(commands.length >= 20, `expected the whole tour, found ${commands.length} commands`);

  const tour = walkthrough({
    cwd: home,
    env: userEnv(home),
    replace: [['http://127.0.0.1:8200', server.address]],
    placeholders: {
      'root token': () => server.rootToken,
      'data dir': () => server.dir,
      'AWS access key': () => printed('AWS Access Key'),
      'AWS secret key': () => printed('AWS Secret Key'),
      'enclave token': (ran) => {
        for (const r of ran) {
          const m = /^token\s+(\S+)$/m.exec(r.stdout);
          if (r.command.includes('dev-enclave login') && m) return m[1];
        }
        return undefined;
      },
    },
    timeoutMs: 60_000, // per command: a CLI start takes seconds on a loaded machine
  });
  for (const command of commands) await tour.run(command);
  // The prose's curl example, with the tour's exports.
  const curls = inlineCommands(section, 'curl');
  assert.equal(curls.length, 1, 'the tour quotes one curl command');
  await tour.run(curls[0]);
  const ran = tour.ran;
  assert.equal(JSON.parse(outputOf(ran, 'curl ')).data.data.password, 'hunter2');

  // KV: the patch merged into a new version, and the value reads back.
  const kv = outputOf(ran, 'kv get secret/app/db');
  assert.match(kv, /^password\s+hunter2$/m);
  assert.match(kv, /^port\s+5432$/m);
  assert.match(kv, /^version\s+2$/m);
  assert.match(outputOf(ran, 'token create'), /^token_policies\s+\["app-read" "default"\]$/m);

  // The audit log is JSON, the secret in it HMAC'd, and audit-hash finds it.
  const tail = outputOf(ran, 'tail -n 2').trim().split('\n');
  assert.equal(tail.length, 2);
  for (const line of tail) assert.equal(typeof JSON.parse(line).type, 'string');
  const hash = /^hash\s+(hmac-sha256:[0-9a-f]{64})$/m.exec(outputOf(ran, 'sys/audit-hash/file'));
  assert.ok(hash, 'audit-hash printed an HMAC');

  // The enclave logs in with the pasted PCRs, gets a token, and reads exactly its secret with it.
  const login = outputOf(ran, 'dev-enclave login');
  assert.match(login, /^token\s+hvs\.\S+$/m);
  assert.match(login, /^signer_id\s+[0-9a-f]{96}$/m);
  assert.equal(outputOf(ran, 'SEALTRAIL_TOKEN=<enclave token>').trim(), 'hunter2');
  assert.match(outputOf(ran, 'attest verify'), /[0-9a-f]{96}/);

  // KMS through the AWS CLI, and that call found as a CloudTrail event by both lookups.
  const keyId = JSON.parse(outputOf(ran, 'kms create-key')).KeyMetadata.KeyId as string;
  assert.match(keyId, /^[0-9a-f-]{36}$/);
  for (const fragment of ['cloudtrail lookup-events', 'trail lookup']) {
    const events = JSON.parse(outputOf(ran, fragment)).Events as Array<{ EventName: string; Resources?: Array<{ ResourceName: string }> }>;
    assert.ok(events.length >= 1, `${fragment} found no CreateKey event`);
    assert.ok(events.every((e) => e.EventName === 'CreateKey'));
  }

  // The capsule reads back with its sensitive parts redacted for the default read context, and the read is logged.
  assert.match(outputOf(ran, 'capsule load'), /hello/);
  assert.match(outputOf(ran, 'capsule log access'), /demo/);
});
