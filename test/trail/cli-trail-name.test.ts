/** `sealtrail trail validate-logs --trail-name`: a name the server does not have is named as such. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useFakeVault } from '../cli/harness.js';

const vault = useFakeVault('trail-cli-name-');
const START = ['--start-time', '2026-12-01T00:00:00Z'];
const TRAILS = {
  data: {
    keys: ['main', 'audit'],
    key_info: {
      main: { destination: 'directory', directory: '/nonexistent/trails', bucket: 'audit-bucket' },
      audit: { destination: 'directory', directory: '/nonexistent/audit', bucket: 'audit-bucket' },
    },
  },
};

test('a --trail-name the server has not is refused naming the trails it has, not asking for the flag given', async () => {
  vault.fake.routes['GET /v1/sys/trails'] = { status: 200, body: TRAILS };
  vault.fake.routes['POST /v1/trail/aws/ListPublicKeys'] = { status: 200, body: { data: { PublicKeyList: [] } } };
  const typo = await vault.run(['trail', 'validate-logs', '--trail-name', 'mian', ...START]);
  assert.deepEqual([typo.code, typo.stderr], [1, 'no trail named "mian" (the server has: main, audit)\n']);
  const none = await vault.run(['trail', 'validate-logs', ...START]);
  assert.deepEqual([none.code, none.stderr], [1, 'choose a trail with --trail-name (the server has: main, audit)\n']);
});
