import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Command } from 'commander';
import { registerCapsuleCommands } from '../../../src/cli/commands/capsule.js';
import { SealtrailClient } from '../../../src/sdk/index.js';
import type { CapsuleClient } from '../../../src/sdk/capsule.js';
import { harness } from './helpers.js';

test('SealtrailClient satisfies the capsule client interface', () => {
  const client: CapsuleClient = new SealtrailClient({ address: 'http://127.0.0.1:1', token: 'x' });
  assert.equal(typeof client.read, 'function');
});

async function cli(stdoutIsTty = false) {
  const h = await harness();
  const out: string[] = [];
  const files: Record<string, string> = {
    'rows.json': JSON.stringify({ columns: ['name', 'email'], rows: [['Ann', 'ann@x.io'], ['Bob', 'bob@y.io']] }),
    'ctx.json': JSON.stringify({ rules: [{ match: { tags: [{ name: 'tag.sealtrail.io/pii/email' }] }, effect: 'Redact' }] }),
  };
  const run = async (...args: string[]) => {
    const program = new Command().exitOverride();
    registerCapsuleCommands(program, () => h.client, {
      stdout: (t) => void out.push(t),
      readFile: async (p) => files[p] ?? Promise.reject(new Error('ENOENT')),
      readStdin: async () => '',
      stdoutIsTty,
    });
    out.length = 0;
    await program.parseAsync(args, { from: 'user' });
    return out.join('');
  };
  return { h, run, files };
}

test('CLI: contexts, encapsulate, load with parameters, and the logs', async () => {
  const { run, files } = await cli();
  assert.equal(await run('capsule', 'read-context', 'write', 'no-email', 'ctx.json'), 'Success! Data written to: capsule/read-context/no-email\n');
  assert.deepEqual(JSON.parse(await run('capsule', 'read-context', 'list')), ['default', 'no-email']);
  const b64 = (await run('capsule', 'encapsulate', '--file', 'rows.json', '--write-context', 'sensitive', '--field', 'capsule')).trim();
  files['c.b64'] = b64;
  const loaded = JSON.parse(await run('capsule', 'load', '@c.b64', '--read-context', 'no-email', '--param', 'ticket=T-9'));
  assert.deepEqual(loaded.table, { columns: ['name', 'email'], rows: [['Ann', '{redacted}'], ['Bob', '{redacted}']] });
  const access = JSON.parse(await run('capsule', 'log', 'access', '--operation', 'read'));
  assert.deepEqual(access.results[0].read_info.parameters, { ticket: 'T-9' });
  assert.equal(access.has_more, false);
  const control = JSON.parse(await run('capsule', 'log', 'control', '--num-results', '1'));
  assert.equal(control.results[0].summary, 'Created read context no-email');
  const rotated = JSON.parse(await run('capsule', 'keys', 'rotate'));
  assert.equal(rotated.latest_version, 2);
  await assert.rejects(run('capsule', 'encapsulate', '--write-context', 'x'), /give exactly one of --data or --file/);
  await assert.rejects(run('capsule', 'load', 'AAAA', '--param', 'novalue'), /--param expects key=value/);
});

test('CLI: a --field text is exact for a pipe, and shown with escape sequences escaped on a terminal', async () => {
  const text = 'hello\x1b]0;pwned\x07\u202e';
  for (const tty of [false, true]) {
    const { run, files } = await cli(tty);
    files['c.b64'] = (await run('capsule', 'encapsulate', '--data', text, '--write-context', 'default', '--field', 'capsule')).trim();
    const shown = await run('capsule', 'load', '@c.b64', '--read-context', 'default', '--field', 'data');
    assert.equal(shown, tty ? 'hello\\x1b]0;pwned\\x07\\u202e\n' : `${text}\n`);
  }
});
