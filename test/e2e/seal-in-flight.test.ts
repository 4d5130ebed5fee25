/**
 * A request in flight when the server seals: once sys/seal closes the audit devices, an entry
 * can no longer be recorded, so the request is refused — an empty device list while closing is
 * not "no device enabled", which would answer it with nothing recorded.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startHoldingReceiver } from '../helpers/holding-receiver.js';
import { call, startDevServer } from '../helpers/server.js';

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

    // Its response entry could no longer be recorded anywhere: the client gets the 500 of an
    // unrecorded entry, never the secret.
    assert.equal(answer.status, 500, `answered ${answer.status} after the seal closed the devices: ${answer.text.slice(0, 200)}`);
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
