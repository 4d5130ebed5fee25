/** Which mount and KV version a `kv` path points at (preflight answers and its fallbacks). */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { SealtrailApiError, SealtrailClient } from '../../src/sdk/index.js';
import { SealtrailError } from '../../src/errors/index.js';
import { kvApiPath, resolveKvTarget } from '../../src/cli/kv-target.js';
import { envelope, startFakeVault, type FakeVault, type Routes } from '../sdk/fake-vault.js';

let fake: FakeVault;
let client: SealtrailClient;
before(async () => {
  fake = await startFakeVault();
  client = new SealtrailClient({ address: fake.address, token: 't' });
});
after(() => fake.close());

const PRE = '/v1/sys/internal/ui/mounts/';
const cases: Array<{ name: string; arg: string; mount?: string; routes: Routes; want: unknown }> = [
  { name: 'no preflight endpoint: first segment, v2', arg: 'secret/app/db', routes: {}, want: { mount: 'secret', path: 'app/db', version: 2 } },
  { name: 'preflight forbidden: same fallback', arg: '/secret/app/', routes: { [`GET ${PRE}secret/app`]: { status: 403, body: { errors: ['permission denied'] } } },
    want: { mount: 'secret', path: 'app', version: 2 } },
  { name: 'nested mount from the preflight', arg: 'team/kv/a/b', routes: { [`GET ${PRE}team/kv/a/b`]: { status: 200, body: envelope({ path: 'team/kv/', options: { version: '2' } }) } },
    want: { mount: 'team/kv', path: 'a/b', version: 2 } },
  { name: 'a kv mount without version option is v2 (Sealtrail serves v2)', arg: 'kv/x', routes: { [`GET ${PRE}kv/x`]: { status: 200, body: envelope({ path: 'kv/', options: null }) } },
    want: { mount: 'kv', path: 'x', version: 2 } },
  { name: 'explicit version 1', arg: 'old/x', routes: { [`GET ${PRE}old/x`]: { status: 200, body: envelope({ path: 'old/', options: { version: '1' } }) } },
    want: { mount: 'old', path: 'x', version: 1 } },
  { name: 'a mount of another type (cubbyhole) has unversioned paths', arg: 'cubbyhole/app/db', routes: { [`GET ${PRE}cubbyhole/app/db`]: { status: 200, body: envelope({ path: 'cubbyhole/', type: 'cubbyhole', options: null }) } },
    want: { mount: 'cubbyhole', path: 'app/db', version: 1 } },
  { name: '-mount: the argument is relative', arg: 'app/db', mount: 'team/kv/', routes: { [`GET ${PRE}team/kv`]: { status: 200, body: envelope({ path: 'team/kv/', options: { version: '2' } }) } },
    want: { mount: 'team/kv', path: 'app/db', version: 2 } },
  { name: 'the mount root', arg: 'secret/', routes: {}, want: { mount: 'secret', path: '', version: 2 } },
];

for (const tc of cases) {
  test(`kv target: ${tc.name}`, async () => {
    fake.routes = tc.routes;
    assert.deepEqual(await resolveKvTarget(client, tc.arg, tc.mount), tc.want);
  });
}

test('kv target: other preflight errors surface; empty paths are usage errors', async () => {
  fake.routes = { [`GET ${PRE}secret/a`]: { status: 500, body: { errors: ['internal error'] } } };
  await assert.rejects(resolveKvTarget(client, 'secret/a'), (e: unknown) => e instanceof SealtrailApiError && e.status === 500);
  await assert.rejects(resolveKvTarget(client, '/'), (e: unknown) => e instanceof SealtrailError && e.message === 'a secret path is required');
});

test('kv API paths per section and version', () => {
  const v2 = { mount: 'secret', path: 'app/db', version: 2 as const };
  assert.deepEqual((['data', 'metadata', 'delete', 'undelete', 'destroy'] as const).map((s) => kvApiPath(v2, s)),
    ['secret/data/app/db', 'secret/metadata/app/db', 'secret/delete/app/db', 'secret/undelete/app/db', 'secret/destroy/app/db']);
  assert.equal(kvApiPath({ mount: 'old', path: 'x', version: 1 }, 'data'), 'old/x');
  assert.equal(kvApiPath({ mount: 'secret', path: '', version: 2 }, 'metadata'), 'secret/metadata');
});
