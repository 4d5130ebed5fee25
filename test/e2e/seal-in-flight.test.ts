/**
 * A request in flight when the server seals: once sys/seal closes the services, a request whose
 * request entry was being recorded is not handled (503, sealed) — an empty device list while
 * closing is not "no device enabled", which would answer it with nothing recorded — and it cannot
 * write through the barrier a later unseal opens again.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startHoldingReceiver } from '../helpers/holding-receiver.js';
import { call, printedValue, startDevServer } from '../helpers/server.js';

const HELD = 'secret/data/held';

test('a read whose request entry was recorded while sys/seal closed the devices is not answered with its data', { timeout: 120_000 }, async () => {
  const receiver = await startHoldingReceiver(HELD);
  const server = await startDevServer({ logLevel: 'fatal' });
  try {
    const api = (method: string, path: string, body?: unknown) => call(server.address, method, path, { token: server.rootToken, body });
    assert.equal((await api('POST', HELD, { data: { secret: 'in-flight-value' } })).status, 200);
    assert.equal((await api('PUT', 'sys/audit/held', { type: 'http', options: { uri: receiver.url, filter: `path == "${HELD}"` } })).status, 204);

    const read = api('GET', HELD);
    await receiver.held; // the read's request entry is with every device, the http one not answering yet
    assert.equal((await api('PUT', 'sys/seal')).status, 204);
    receiver.release();
    const answer = await read;

    // The seal closed the services while its request entry was being recorded: it is not handled,
    // and the client is told the server sealed, never given the secret.
    assert.equal(answer.status, 503, `answered ${answer.status} after the seal closed the devices: ${answer.text.slice(0, 200)}`);
    assert.ok(!answer.text.includes('in-flight-value'));
    const entries = readFileSync(join(server.dir, 'audit.log'), 'utf8').split('\n').filter(Boolean)
      .map((l) => JSON.parse(l) as { type: string; request: { path: string; operation: string } })
      .filter((e) => e.request.path === HELD && e.request.operation === 'read');
    assert.deepEqual(entries.map((e) => e.type), ['request']);
  } finally {
    await server.stop();
    await receiver.close();
  }
});

test('a write held in flight across a seal and an immediate unseal does not land through the reopened barrier', { timeout: 120_000 }, async () => {
  const written = 'secret/data/held-write';
  const receiver = await startHoldingReceiver(written);
  const server = await startDevServer({ logLevel: 'fatal' });
  try {
    const api = (method: string, path: string, body?: unknown) => call(server.address, method, path, { token: server.rootToken, body });
    assert.equal((await api('PUT', 'sys/audit/held', { type: 'http', options: { uri: receiver.url, filter: `path == "${written}"` } })).status, 204);

    const write = api('POST', written, { data: { secret: 'written-after-the-seal' } });
    await receiver.held; // the write's request entry is recorded; the write itself has not run yet
    assert.equal((await api('PUT', 'sys/seal')).status, 204);
    const unseal = await call(server.address, 'PUT', 'sys/unseal', { body: { key: printedValue(server.lines, 'Unseal Key') } });
    assert.equal(unseal.status, 200);
    assert.equal((unseal.json as { sealed: boolean }).sealed, false);
    receiver.release();

    // The services the write was started on were closed by the seal: it must not write through
    // the barrier the unseal opened again (with the devices of the new services recording nothing of it).
    const answer = await write;
    assert.equal(answer.status, 503, `answered ${answer.status}: ${answer.text.slice(0, 200)}`);
    assert.deepEqual(answer.json, { errors: ['Vault is sealed'] });
    const read = await api('GET', written);
    assert.equal(read.status, 404, `the write landed after the seal: ${read.text.slice(0, 200)}`);
  } finally {
    await server.stop();
    await receiver.close();
  }
});
