import { test } from 'node:test';
import assert from 'node:assert/strict';
import { harness, rejects } from './helpers.js';

/** What the HTTP edge hands over: JSON.parse keeps `__proto__` as an own key. */
const body = (text: string) => JSON.parse(text) as Record<string, unknown>;

test('capsule records with __proto__, constructor and prototype keys round-trip', async () => {
  const h = await harness();
  const { data } = (await h.call('update', 'encapsulate', body('{"records":[{"__proto__":"a","constructor":"b","prototype":"c","x":"d"}]}')))!;
  const loaded = await h.data('update', 'load', { capsule: data!.capsule, read_context: 'default' });
  assert.equal(JSON.stringify(loaded.records), '[{"__proto__":"a","constructor":"b","prototype":"c","x":"d"}]');
  const table = (await h.call('update', 'encapsulate', body('{"table":{"columns":["__proto__","constructor"],"rows":[["1","2"]]}}')))!;
  const fromTable = await h.data('update', 'load', { capsule: table.data!.capsule, read_context: 'default' });
  assert.deepEqual(fromTable.table, { columns: ['__proto__', 'constructor'], rows: [['1', '2']] });
});

test('a required read parameter named constructor is required; parameters named __proto__ are logged', async () => {
  const h = await harness();
  await h.call('update', 'read-context/ticketed', { parameters: [{ key: 'constructor', required: true }, { key: '__proto__', required: true }] });
  const { data } = (await h.call('update', 'encapsulate', { data: 'hello' }))!;
  await rejects(h.call('update', 'load', { capsule: data!.capsule, read_context: 'ticketed' }), 'invalid', 'missing required read parameter(s) for read context "ticketed": constructor, __proto__');
  await h.call('update', 'load', { capsule: data!.capsule, read_context: 'ticketed', parameters: body('{"__proto__":"why","constructor":"T-1"}') });
  const [read] = await h.accessLog({ operation: 'read' });
  assert.equal(JSON.stringify((read.read_info as Record<string, unknown>).parameters), '{"__proto__":"why","constructor":"T-1"}');
});
