import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tokenBackend } from '../../../src/auth/token/backend.js';
import { createTokenStore } from '../../../src/auth/token/store.js';
import { createPolicyStore } from '../../../src/auth/policy/store.js';
import { ensureDefaultPolicy } from '../../../src/auth/policy/default-policy.js';
import type { LogicalResponse, MountEntry, Operation } from '../../../src/core/index.js';
import { SealtrailError } from '../../../src/errors/index.js';
import { manualClock } from '../../../src/lib/clock.js';
import { createMemoryStorage } from '../../../src/storage/memory/index.js';

const T0 = Date.UTC(2025, 0, 1, 12, 0, 0, 250);

const mount: MountEntry = {
  table: 'auth', path: 'token/', type: 'token', description: '', accessor: 'auth_token_1', uuid: 'u',
  config: { defaultLeaseTtl: 0, maxLeaseTtl: 0, auditNonHmacRequestKeys: [], auditNonHmacResponseKeys: [], listingVisibility: '', passthroughRequestHeaders: [] },
  options: {}, local: false, sealWrap: false, builtin: true,
};

async function setup(opts: { tick?: boolean } = {}) {
  const manual = manualClock(T0);
  // `tick`: every reading of the clock is a millisecond later, as time passes between a renewal's
  // computation and its answer on a real clock.
  const clock = opts.tick ? Object.assign(Object.create(manual) as typeof manual, { now: () => { manual.advance(1); return manual.now(); } }) : manual;
  const tokens = createTokenStore({ storage: createMemoryStorage(), clock, hashKey: new Uint8Array(32).fill(1) });
  const policies = createPolicyStore({ storage: createMemoryStorage() });
  await ensureDefaultPolicy(policies);
  await policies.put('dev', 'path "secret/*" { capabilities = ["read"] }');
  await policies.put('ops', 'path "auth/token/*" { capabilities = ["create", "read", "update", "sudo", "list"] }');
  const backend = tokenBackend({ tokens, policies, clock });
  const root = await tokens.create({ policies: ['root'], path: 'auth/token/root', id: 'root-token' });

  async function call(caller: string, operation: Operation, path: string, data: Record<string, unknown> = {}): Promise<LogicalResponse | undefined> {
    const token = await tokens.lookup(caller);
    const logical = {
      id: 'req-1', operation, path: `auth/token/${path}`, data, clientToken: caller,
      remoteAddress: '127.0.0.1', remotePort: 1, headers: {}, wrapTtl: 0,
    };
    return backend.handleRequest({ logical, operation, path, data, mount, token });
  }
  async function mint(caller: string, data: Record<string, unknown>): Promise<string> {
    return (await call(caller, 'update', 'create', data))!.issuedAuth!.clientToken;
  }
  return { clock, tokens, policies, backend, root, call, mint };
}

const fails = (kind: string, code: string, message: string) => (err: unknown) => {
  assert.ok(err instanceof SealtrailError, String(err));
  assert.deepEqual([err.kind, err.code, err.message], [kind, code, message]);
  return true;
};

test('create answers with Vault\'s auth block', async () => {
  const { call } = await setup();
  const res = await call('root-token', 'update', 'create', {
    policies: ['ops', 'dev', 'ghost'], meta: { app: 'ci' }, ttl: '1h', display_name: 'my app!', num_uses: '5', explicit_max_ttl: 7200,
  });
  const auth = res!.issuedAuth!;
  assert.match(auth.clientToken, /^hvs\.[0-9A-Za-z]{24}$/);
  assert.match(auth.accessor, /^[0-9A-Za-z]{24}$/);
  assert.deepEqual({ ...auth, clientToken: '-', accessor: '-' }, {
    clientToken: '-', accessor: '-',
    policies: ['default', 'dev', 'ghost', 'ops'], tokenPolicies: ['default', 'dev', 'ghost', 'ops'], identityPolicies: [],
    metadata: { app: 'ci' }, displayName: 'token-my-app', entityId: '', ttl: 3600, explicitMaxTtl: 7200, numUses: 5,
    renewable: true, leaseDuration: 3600, tokenType: 'service', orphan: false,
  });
  assert.equal(res!.data, undefined);
  assert.deepEqual(res!.warnings, ['Policy "ghost" does not exist']);
});

test('a ttl above the max is capped with Vault\'s warning, so the caller knows it got less than it asked for', async () => {
  const { call } = await setup();
  const capped = await call('root-token', 'update', 'create', { policies: ['dev'], ttl: '8760h' });
  assert.equal(capped!.issuedAuth!.ttl, 768 * 3600);
  assert.deepEqual(capped!.warnings, ['TTL of "8760h0m0s" exceeded the effective max_ttl of "768h0m0s"; TTL value is capped accordingly']);
  const explicit = await call('root-token', 'update', 'create', { policies: ['dev'], ttl: '2h', explicit_max_ttl: '90m' });
  assert.deepEqual(explicit!.warnings, ['TTL of "2h0m0s" exceeded the effective max_ttl of "1h30m0s"; TTL value is capped accordingly']);
  assert.equal((await call('root-token', 'update', 'create', { policies: ['dev'], ttl: '1h' }))!.warnings, undefined);
});

test('display_name: the documented 1,024 bytes hold for what the caller sends, before the server prefixes "token-"', async () => {
  const { call } = await setup();
  const created = async (name: string) => (await call('root-token', 'update', 'create', { policies: ['dev'], display_name: name }))!.issuedAuth!.displayName;
  assert.equal(await created('d'.repeat(1024)), `token-${'d'.repeat(1024)}`);
  // Counted in UTF-8 bytes, as sent: each "é" (two bytes) is stored as one "-".
  assert.equal(await created(`${'é'.repeat(511)}dd`), `token-${'-'.repeat(511)}dd`);
  const refused = fails('invalid', 'display_name_too_long', 'display_name is limited to 1024 bytes');
  await assert.rejects(call('root-token', 'update', 'create', { policies: ['dev'], display_name: 'd'.repeat(1025) }), refused);
  await assert.rejects(call('root-token', 'update', 'create', { policies: ['dev'], display_name: `${'é'.repeat(512)}d` }), refused);
});

test('lookup, lookup-self and lookup-accessor data', async () => {
  const { call, mint, clock } = await setup();
  const id = await mint('root-token', { policies: ['dev'], ttl: 600, meta: { k: 'v' }, period: 0 });
  clock.advance(100_000);
  const res = await call('root-token', 'update', 'lookup', { token: id });
  const data = res!.data!;
  assert.deepEqual({ ...data, accessor: '-' }, {
    accessor: '-',
    creation_time: 1735732800,
    creation_ttl: 600,
    display_name: 'token',
    entity_id: '',
    expire_time: '2025-01-01T12:10:00.25Z',
    explicit_max_ttl: 0,
    id,
    issue_time: '2025-01-01T12:00:00.25Z',
    meta: { k: 'v' },
    num_uses: 0,
    orphan: false,
    path: 'auth/token/create',
    policies: ['default', 'dev'],
    renewable: true,
    ttl: 500,
    type: 'service',
  });
  assert.deepEqual((await call(id, 'read', 'lookup-self'))!.data, data);
  const byAccessor = await call('root-token', 'update', 'lookup-accessor', { accessor: data.accessor });
  assert.deepEqual(byAccessor!.data, { ...data, id: '' });
  const rootData = (await call('root-token', 'read', 'lookup-self'))!.data!;
  assert.deepEqual([rootData.expire_time, rootData.ttl, rootData.meta, rootData.orphan, rootData.renewable], [null, 0, null, true, false]);

  await assert.rejects(call('root-token', 'update', 'lookup', { token: 'hvs.nope' }), fails('permission', 'bad_token', 'bad token'));
  await assert.rejects(call('root-token', 'update', 'lookup-accessor', { accessor: 'nope' }), fails('invalid', 'invalid_accessor', 'invalid accessor'));
});

test('a lookup after a renewal shows when it was, as Vault\'s last_renewal_time and last_renewal', async () => {
  const { call, mint, clock } = await setup();
  const id = await mint('root-token', { policies: ['dev'], ttl: 600 });
  const before = (await call('root-token', 'update', 'lookup', { token: id }))!;
  assert.deepEqual([before.data!.last_renewal_time, before.data!.last_renewal], [undefined, undefined]);

  clock.advance(100_000);
  await call(id, 'update', 'renew-self', {});
  const after = (await call('root-token', 'update', 'lookup', { token: id }))!;
  assert.deepEqual([after.data!.last_renewal_time, after.data!.last_renewal], [1735732900, '2025-01-01T12:01:40.25Z']);
  assert.deepEqual((after.auditData as Record<string, unknown>).last_renewal, new Date('2025-01-01T12:01:40.25Z'));
  const byAccessor = (await call('root-token', 'update', 'lookup-accessor', { accessor: after.data!.accessor }))!;
  assert.equal(byAccessor.data!.last_renewal_time, 1735732900);
});

test('Vault\'s creation rules for non-root parents', async () => {
  const { call, mint } = await setup();
  const dev = await mint('root-token', { policies: ['dev'] });
  await assert.rejects(call(dev, 'update', 'create', { policies: ['ops'] }),
    fails('invalid', 'policies_not_subset', 'child policies must be subset of parent'));
  await assert.rejects(call(dev, 'update', 'create', { policies: ['root'] }),
    fails('invalid', 'policies_not_subset', 'child policies must be subset of parent'));
  await assert.rejects(call(dev, 'update', 'create', { no_parent: true }),
    fails('invalid', 'sudo_required', 'root or sudo privileges required to create orphan token'));
  await assert.rejects(call(dev, 'update', 'create', { id: 'chosen' }),
    fails('invalid', 'sudo_required', 'root or sudo privileges required to specify token id'));
  await assert.rejects(call(dev, 'update', 'create', { type: 'batch' }),
    fails('invalid', 'unsupported_token_type', 'batch tokens are not supported'));
  // Silently dropped, it would hand out a token tied to no entity while the caller asked for one.
  await assert.rejects(call('root-token', 'update', 'create', { entity_alias: 'web-1' }),
    fails('invalid', 'entity_alias_without_role', "'entity_alias' is only allowed in combination with token role"));
  await assert.rejects(call('root-token', 'update', 'create', { role_name: 'web' }), fails('invalid', 'unsupported_token_role', 'token roles are not supported'));
  // A token holding only the wrapping tokens' built-in policy would pass for one: no token gets it, root's neither.
  await assert.rejects(call('root-token', 'update', 'create', { policies: ['app', ' Response-Wrapping '] }),
    fails('invalid', 'policy_not_assignable', 'cannot assign policy "response-wrapping"'));
  // `lease`, the ttl's old name, is read as Vault reads it: when no ttl is given.
  assert.equal((await call(dev, 'update', 'create', { lease: '5s' }))!.issuedAuth!.leaseDuration, 5);
  assert.equal((await call(dev, 'update', 'create', { lease: '5s', ttl: '7s' }))!.issuedAuth!.leaseDuration, 7);

  const inherited = (await call(dev, 'update', 'create', {}))!.issuedAuth!;
  assert.deepEqual([inherited.policies, inherited.orphan], [['default', 'dev'], false]);
  const noDefault = (await call(dev, 'update', 'create', { policies: 'dev', no_default_policy: 'true' }))!.issuedAuth!;
  assert.deepEqual(noDefault.policies, ['dev']);
  const orphan = (await call(dev, 'update', 'create-orphan', { policies: ['dev'] }))!.issuedAuth!;
  assert.equal(orphan.orphan, true);

  // sudo on auth/token/create lifts the subset rule and allows orphans.
  const ops = await mint('root-token', { policies: ['ops'] });
  const wider = (await call(ops, 'update', 'create', { policies: ['dev'], no_parent: true }))!.issuedAuth!;
  assert.deepEqual([wider.policies, wider.orphan], [['default', 'dev'], true]);

  const limited = await mint('root-token', { policies: ['dev'], num_uses: 3 });
  await assert.rejects(call(limited, 'update', 'create', {}),
    fails('invalid', 'restricted_use_parent', 'restricted use token cannot generate child tokens'));
});

test('a renewal answers the TTL it granted, though time passed since', async () => {
  const { call, mint } = await setup({ tick: true });
  const token = await mint('root-token', { policies: ['dev'], ttl: '1h' });
  for (const increment of ['100', '2m']) {
    const renewed = (await call(token, 'update', 'renew-self', { increment }))!.issuedAuth!;
    assert.deepEqual([renewed.leaseDuration, renewed.ttl], increment === '100' ? [100, 100] : [120, 120]);
  }
});

test('a renewal increment past the token\'s max lifetime is capped with Vault\'s warning', async () => {
  const { call, mint } = await setup();
  const token = await mint('root-token', { policies: ['dev'], ttl: '1h', explicit_max_ttl: '90m' });
  const capped = (await call(token, 'update', 'renew-self', { increment: '10h' }))!;
  assert.equal(capped.issuedAuth!.ttl, 5400);
  assert.deepEqual(capped.warnings, ['TTL of "10h0m0s" exceeded the effective max_ttl of "1h30m0s"; TTL value is capped accordingly']);
  assert.equal((await call(token, 'update', 'renew-self', { increment: '1h' }))!.warnings, undefined);
  assert.equal((await call(token, 'update', 'renew-self', {}))!.warnings, undefined);
});

test('renew, revoke and accessors', async () => {
  const { call, mint, clock, tokens } = await setup();
  const parent = await mint('root-token', { policies: ['dev'], ttl: 100, explicit_max_ttl: 300 });
  const child = await mint(parent, { ttl: 50 });
  clock.advance(40_000);
  const renewed = (await call(parent, 'update', 'renew-self', { increment: '2m' }))!.issuedAuth!;
  assert.deepEqual([renewed.clientToken, renewed.leaseDuration, renewed.renewable], [parent, 120, true]);
  const capped = (await call('root-token', 'update', 'renew', { token: parent, increment: 10_000 }))!.issuedAuth!;
  assert.equal(capped.leaseDuration, 260);
  await assert.rejects(call('root-token', 'update', 'renew', { token: 'hvs.gone' }), fails('invalid', 'token_not_found', 'token not found'));
  await assert.rejects(call('root-token', 'update', 'renew-self', {}), fails('invalid', 'not_renewable', 'lease is not renewable'));

  const all = (await call('root-token', 'list', 'accessors/'))!.data!.keys as string[];
  assert.equal(all.length, 3);

  await assert.rejects(call(parent, 'update', 'revoke-orphan', { token: child }),
    fails('invalid', 'sudo_required', 'root or sudo privileges required to revoke and orphan'));
  assert.equal(await call('root-token', 'update', 'revoke', { token: 'hvs.unknown' }), undefined);
  assert.equal(await call('root-token', 'update', 'revoke', { token: parent }), undefined);
  assert.equal(await tokens.lookup(child), undefined, 'revoke takes the children');
  await assert.rejects(call('root-token', 'update', 'revoke-accessor', { accessor: 'nope' }), fails('invalid', 'invalid_accessor', 'invalid accessor'));

  const p2 = await mint('root-token', { policies: ['dev'] });
  const c2 = await mint(p2, {});
  assert.equal(await call('root-token', 'update', 'revoke-orphan', { token: p2 }), undefined);
  assert.equal((await tokens.lookup(c2))?.orphan, true);
  const c2Accessor = (await tokens.lookup(c2))!.accessor;
  assert.equal(await call('root-token', 'update', 'revoke-accessor', { accessor: c2Accessor }), undefined);
  assert.equal(await tokens.lookup(c2), undefined);
  assert.equal(await call(p2, 'update', 'revoke-self').catch(() => 'gone'), 'gone');
});

test('root-protected paths are declared', async () => {
  const { backend } = await setup();
  assert.deepEqual(backend.rootPaths, ['revoke-orphan/*', 'accessors*']);
});

test('a parameter create does not read is named in Vault\'s warning, so a typo (policy= for policies=) is not silently a copy of the parent', async () => {
  const { call } = await setup();
  const typo = await call('root-token', 'update', 'create', { policy: 'dev', ttl: '1h', zz: 'x' });
  assert.deepEqual(typo!.issuedAuth!.policies, ['root']);
  assert.deepEqual(typo!.warnings, ['Endpoint ignored these unrecognized parameters: [policy zz]']);
  const orphan = await call('root-token', 'update', 'create-orphan', { polices: 'dev' });
  assert.deepEqual(orphan!.warnings, ['Endpoint ignored these unrecognized parameters: [polices]']);
  const every = {
    policies: 'dev', meta: { a: 'b' }, ttl: '1h', lease: '', explicit_max_ttl: '', period: '', display_name: 'x', num_uses: 0,
    renewable: true, type: 'service', no_parent: false, no_default_policy: false, id: '', entity_alias: '', role_name: '',
  };
  assert.equal((await call('root-token', 'update', 'create', every))!.warnings, undefined);
  const many = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`k${String(i).padStart(2, '0')}`, 'x']));
  const named = Array.from({ length: 32 }, (_, i) => `k${String(i).padStart(2, '0')}`).join(' ');
  assert.deepEqual((await call('root-token', 'update', 'create', many))!.warnings, [`Endpoint ignored these unrecognized parameters: [${named}] and 8 more`]);
});
