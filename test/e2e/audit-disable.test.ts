/**
 * Acceptance (audit issue): `DELETE sys/audit/<path>` never answers an error with the device gone.
 * With the other devices failing it answers 500 and the device stays, recording; once another
 * device records the disable's response entry, the device is removed and the answer is 204.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { call, startDevServer } from '../helpers/server.js';
import { httpCollector } from '../helpers/listeners.js';

test('DELETE sys/audit/<path> while the other devices fail: 500 and the device stays; then 204 and removed', { timeout: 30_000 }, async () => {
  const server = await startDevServer({ journal: false });
  let down = false;
  const receiver = await httpCollector((_req, res) => {
    if (!down) return false;
    res.writeHead(503).end();
    return true;
  });
  try {
    const api = (method: string, path: string, body?: unknown) => call(server.address, method, path, { token: server.rootToken, body });
    const fileEntries = () => readFileSync(join(server.dir, 'audit.log'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
    const isDisable = (e: { request: { path: string; operation: string } }) => e.request.path === 'sys/audit/file' && e.request.operation === 'delete';
    assert.equal((await api('PUT', 'sys/audit/siem', { type: 'http', options: { uri: receiver.url, retries: '0' } })).status, 204);

    down = true;
    const refused = await api('DELETE', 'sys/audit/file');
    assert.equal(refused.status, 500);
    assert.deepEqual(refused.json, { errors: ['internal error'] });
    assert.deepEqual(Object.keys((await api('GET', 'sys/audit')).json.data).sort(), ['file/', 'siem/']);
    const write = await api('POST', 'secret/data/still-audited', { data: { v: '1' } });
    assert.equal(write.status, 200);
    assert.equal(fileEntries().filter((e) => e.request.id === write.json.request_id).length, 2, 'the file device still records');

    down = false;
    assert.equal((await api('DELETE', 'sys/audit/file')).status, 204);
    assert.deepEqual(Object.keys((await api('GET', 'sys/audit')).json.data), ['siem/']);
    // The removal is audited as Vault audits it: its response entry on the remaining device.
    const received = receiver.lines().map((l) => JSON.parse(l)).filter(isDisable);
    assert.deepEqual(received.filter((e) => e.type === 'response').map((e) => e.error), [undefined]);
    const inFile = fileEntries().filter(isDisable);
    assert.deepEqual(inFile.map((e) => e.type), ['request', 'request'], 'both attempts requested through the file device, no response there');
  } finally {
    await server.stop();
    await receiver.close();
  }
});
