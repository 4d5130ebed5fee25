import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SealtrailError } from '../../../src/errors/index.js';
import { entityIdFor, uuidV5 } from '../../../src/auth/apm/index.js';
import { harness, IMAGE, SIGNER } from './helpers.js';
import { createRoleStore } from '../../../src/auth/apm/roles.js';
import { createMemoryStorage } from '../../../src/storage/memory/index.js';
import type { Storage } from '../../../src/storage/types.js';

const invalidWith = (code: string) => (err: unknown) => err instanceof SealtrailError && err.kind === 'invalid' && err.code === code;

test('role CRUD and list', async () => {
  const h = await harness();
  assert.equal(await h.backend.existenceCheck!({ logical: {} as never, operation: 'update', path: 'role/a', data: {}, mount: {} as never }), false);
  await h.call('update', 'role/b', { platform: 'nitro', signer_id: SIGNER, token_policies: 'Read, write', token_ttl: '1h' });
  await h.call('update', 'role/a', { platform: 'nitro', signer_id: SIGNER, enclave_id: IMAGE.toUpperCase(), pcrs: { '4': 'EF'.repeat(48) }, allow_debug: 'false', token_policies: ['r'], token_num_uses: '3' });
  assert.deepEqual((await h.call('list', 'role'))!.data, { keys: ['a', 'b'] });
  assert.deepEqual((await h.call('read', 'role/a'))!.data, {
    platform: 'nitro', signer_id: SIGNER, enclave_id: IMAGE, pcrs: { 4: 'ef'.repeat(48) }, allow_debug: false,
    token_policies: ['r'], token_ttl: 0, token_num_uses: 3, token_bound_to_enclave_key: false,
  });
  assert.deepEqual((await h.call('read', 'role/b'))!.data, {
    platform: 'nitro', signer_id: SIGNER, pcrs: {}, token_policies: ['read', 'write'], token_ttl: 3600, token_num_uses: 0, token_bound_to_enclave_key: false,
  });
  await h.call('delete', 'role/a');
  assert.equal(await h.call('read', 'role/a'), undefined);
  assert.deepEqual((await h.call('list', 'role/'))!.data, { keys: ['b'] });
});

test('bad roles are refused with a clear 400', async () => {
  const h = await harness();
  const cases: Array<[string, Record<string, unknown>, string]> = [
    ['r', { platform: 'azure', signer_id: SIGNER }, 'invalid_field'],
    ['r', { platform: 'nitro' }, 'invalid_field'],
    ['r', { platform: 'nitro', signer_id: 'xyz' }, 'invalid_field'],
    ['r', { platform: 'nitro', signer_id: SIGNER, pcrs: { 32: 'aa' } }, 'invalid_field'],
    ['r', { platform: 'nitro', signer_id: SIGNER, token_policies: 'root' }, 'invalid_field'],
    ['r', { platform: 'nitro', signer_id: SIGNER, token_policies: 'app,response-wrapping' }, 'invalid_field'],
    ['r', { platform: 'nitro', signer_id: SIGNER, token_num_uses: -1 }, 'invalid_field'],
    ['-bad', { platform: 'nitro', signer_id: SIGNER }, 'invalid_role_name'],
  ];
  for (const [name, data, code] of cases) await assert.rejects(h.call('update', `role/${name}`, data), invalidWith(code), JSON.stringify(data));
});

test('a measurement of another size than its platform reports is refused: the role would admit no enclave', async () => {
  const h = await harness();
  const wrongSize: Array<Record<string, unknown>> = [
    { platform: 'nitro', signer_id: 'abcd' },
    { platform: 'nitro', signer_id: SIGNER.slice(0, 94) },
    { platform: 'nitro', signer_id: SIGNER, enclave_id: 'ab'.repeat(32) },
    { platform: 'nitro', signer_id: SIGNER, pcrs: { 4: 'ef'.repeat(32) } },
    { platform: 'snp', measurement: 'ab'.repeat(32) },
    { platform: 'snp', measurement: 'ab'.repeat(48), host_data: 'cd'.repeat(48) },
    { platform: 'tdx', mr_td: 'ab'.repeat(32) },
    { platform: 'sgx', mr_enclave: 'ab'.repeat(48) },
    { platform: 'sgx', enclave_id: 'ab'.repeat(48) },
  ];
  for (const data of wrongSize) {
    await assert.rejects(h.call('update', 'role/r', { ...data, token_policies: 'p' }), (err: unknown) => invalidWith('invalid_field')(err) && /must be \d+ bytes/.test((err as Error).message), JSON.stringify(data));
  }
  for (const data of [
    { platform: 'nitro', signer_id: SIGNER, enclave_id: IMAGE, pcrs: { 4: 'ef'.repeat(48) } },
    { platform: 'snp', measurement: 'ab'.repeat(48), host_data: 'cd'.repeat(32), family_id: '00'.repeat(16) },
    { platform: 'tdx', mr_td: 'ab'.repeat(48), rtmr0: 'cd'.repeat(48), rtmr1: 'ef'.repeat(48) },
    { platform: 'sgx', enclave_id: 'ab'.repeat(32), mr_signer: 'cd'.repeat(32) },
  ]) await h.call('update', 'role/r', { ...data, token_policies: 'p' });
});

test('entity ids are UUIDv5 over signer:enclave (RFC 9562 vector; golden value cross-checked with Python uuid.uuid5)', () => {
  assert.equal(uuidV5('6ba7b810-9dad-11d1-80b4-00c04fd430c8', 'www.example.com'), '2ed6657d-e927-568b-95e1-2665a8aea6a2');
  assert.equal(entityIdFor(SIGNER, IMAGE), entityIdFor(SIGNER.toUpperCase(), IMAGE));
  assert.equal(entityIdFor('cd', 'ab'), '2c8f1330-7732-56df-acd8-78f05c54634f');
});

test('role store: a load that failed is tried again; writes of one role land in the order made', async () => {
  const memory = createMemoryStorage();
  let failLists = 1;
  let inFlight = 0;
  const storage: Storage = {
    ...memory,
    list: (prefix) => (failLists-- > 0 ? Promise.reject(new Error('storage unavailable')) : memory.list(prefix)),
    // Of writes in flight together, the first lands last (a database pool can).
    put: async (key, value) => {
      const wait = Math.max(0, 30 - 10 * inFlight++);
      try { await new Promise((r) => setTimeout(r, wait)); await memory.put(key, value); } finally { inFlight--; }
    },
    delete: async (key) => {
      const wait = Math.max(0, 30 - 10 * inFlight++);
      try { await new Promise((r) => setTimeout(r, wait)); await memory.delete(key); } finally { inFlight--; }
    },
  };
  const roles = createRoleStore(storage);
  await assert.rejects(roles.all(), /storage unavailable/);
  assert.deepEqual(await roles.all(), [], 'the next call loads again');
  const role = { name: 'r', platform: 'nitro', pcrs: {}, measurements: {}, tokenPolicies: [] } as unknown as Parameters<typeof roles.put>[0];
  await roles.put(role);
  await Promise.all([roles.delete('r'), roles.put({ ...role, tokenPolicies: ['after'] })]);
  const fresh = createRoleStore(memory);
  assert.deepEqual((await fresh.get('r'))?.tokenPolicies, ['after'], 'storage holds the last write');
  assert.deepEqual((await roles.get('r'))?.tokenPolicies, ['after'], 'and so does the running store');
});

test("a field no role takes is refused, named, rather than ignored (Vault's token_max_ttl, token_period, token_bound_cidrs)", async () => {
  const h = await harness();
  for (const extra of [{ token_max_ttl: '6s' }, { token_period: '1h' }, { token_bound_cidrs: ['10.0.0.0/8'] }, { token_explicit_max_ttl: 60, token_type: 'batch' }]) {
    await assert.rejects(h.call('update', 'role/r', { platform: 'nitro', signer_id: SIGNER, token_policies: ['p'], ...extra }), (err: unknown) => {
      assert.ok(err instanceof Error);
      assert.equal((err as { code?: string }).code, 'invalid_field');
      for (const name of Object.keys(extra)) assert.ok(err.message.includes(`"${name}"`), err.message);
      return true;
    });
    assert.equal(await h.call('read', 'role/r'), undefined, 'nothing was written');
  }
  // Every field a role does take is accepted, on its platform.
  await h.call('update', 'role/ok', { platform: 'nitro', signer_id: SIGNER, enclave_id: IMAGE, pcrs: {}, allow_debug: false, token_policies: ['p'], token_ttl: '1h', token_num_uses: 2, token_bound_to_enclave_key: true });
  await h.call('update', 'role/snp', { platform: 'snp', measurement: 'aa'.repeat(48), host_data: 'bb'.repeat(32), vmpl: 0, min_tcb: { bootloader: 1, tee: 0, snp: 8, microcode: 100 }, token_policies: ['p'] });
});
