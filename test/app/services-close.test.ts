/**
 * Closed services keep no handle on storage: work still running on them when the server seals
 * (or an HA node stands down) fails at its next read or write, even once a later unseal has opened
 * the barrier again for the services that replaced them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SealtrailError } from '../../src/errors/index.js';
import { revocableStorage } from '../../src/storage/revocable.js';
import { createMemoryStorage } from '../../src/storage/memory/index.js';
import { call, printedValue, startDevServer } from '../helpers/server.js';

const isSealed = (err: unknown) => err instanceof SealtrailError && err.kind === 'sealed';

test('a revoked storage refuses every call and leaves the storage under it as it was', async () => {
  const inner = createMemoryStorage();
  await inner.put('a', new Uint8Array([1]));
  const handle = revocableStorage(inner, () => new SealtrailError('sealed', 'sealed', 'Vault is sealed'));
  assert.deepEqual(await handle.storage.get('a'), new Uint8Array([1]));
  handle.revoke();
  await assert.rejects(handle.storage.get('a'), isSealed);
  await assert.rejects(handle.storage.put('b', new Uint8Array([2])), isSealed);
  await assert.rejects(handle.storage.delete('a'), isSealed);
  await assert.rejects(handle.storage.list(''), isSealed);
  await assert.rejects(handle.storage.transaction([{ op: 'delete', key: 'a' }]), isSealed);
  assert.deepEqual(await inner.list(''), ['a']);
});

test('services closed by a seal cannot write through the barrier the next unseal opens', { timeout: 60_000 }, async () => {
  const server = await startDevServer({ logLevel: 'fatal' });
  try {
    const closed = server.core.unsealedServices!;
    assert.equal((await call(server.address, 'PUT', 'sys/seal', { token: server.rootToken })).status, 204);
    assert.equal(closed.closing, true);
    const unseal = await call(server.address, 'PUT', 'sys/unseal', { body: { key: printedValue(server.lines, 'Unseal Key') } });
    assert.equal((unseal.json as { sealed: boolean }).sealed, false);

    await assert.rejects(closed.policies.put('straggler', 'path "secret/*" { capabilities = ["read"] }'), isSealed);
    const current = server.core.unsealedServices!;
    assert.notEqual(current, closed);
    assert.equal(current.closing, false);
    assert.equal(await current.policies.get('straggler'), undefined);
  } finally {
    await server.stop();
  }
});
