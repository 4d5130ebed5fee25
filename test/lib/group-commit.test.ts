/**
 * Group commit, as the journal's and the event stores' appends use it: items added in one turn
 * share a commit; while a commit runs, what arrives forms the next one; a failure fails its batch
 * only; `drain` waits for everything added; synchronous commits work the same way.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { groupCommit } from '../../src/lib/group-commit.js';

/** An async commit whose completion the test controls. */
function controlledCommit() {
  const batches: string[][] = [];
  const finish: Array<(fail?: Error) => void> = [];
  const commit = (items: string[]) => {
    batches.push([...items]);
    return new Promise<string[]>((resolve, reject) => {
      finish.push((fail) => (fail ? reject(fail) : resolve(items.map((i) => `${i}!`))));
    });
  };
  return { batches, finish, commit };
}

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

test('items added in one turn share one commit and one promise; their results are by place', async () => {
  const c = controlledCommit();
  const commits = groupCommit(c.commit);
  const places = ['a', 'b', 'c'].map((item) => ({ at: commits.forming, done: commits.add(item) }));
  assert.deepEqual(places.map((p) => p.at), [0, 1, 2]);
  assert.equal(places[0].done, places[2].done);
  assert.deepEqual(c.batches, [], 'the commit starts once the turn has run its queued callbacks');
  await turn();
  assert.deepEqual(c.batches, [['a', 'b', 'c']]);
  c.finish[0]();
  const results = await places[0].done;
  assert.deepEqual(places.map((p) => results[p.at]), ['a!', 'b!', 'c!']);
});

test('while a commit runs, what arrives forms the next batch, committed right after it', async () => {
  const c = controlledCommit();
  const commits = groupCommit(c.commit);
  const first = commits.add('a');
  await turn();
  const second = [commits.add('b'), commits.add('c')];
  await turn();
  assert.deepEqual(c.batches, [['a']], 'one commit at a time');
  c.finish[0]();
  await first;
  await turn();
  assert.deepEqual(c.batches, [['a'], ['b', 'c']]);
  c.finish[1]();
  assert.deepEqual(await second[1], ['b!', 'c!']);
});

test('a failed commit fails its whole batch and no other; the next batch goes on', async () => {
  const c = controlledCommit();
  const commits = groupCommit(c.commit);
  const failed = [commits.add('a'), commits.add('b')];
  await turn();
  const later = commits.add('c');
  c.finish[0](new Error('disk full'));
  for (const f of failed) await assert.rejects(f, /disk full/);
  await turn();
  c.finish[1]();
  assert.deepEqual(await later, ['c!']);
});

test('drain commits what was added and waits until nothing runs or waits', async () => {
  const c = controlledCommit();
  const commits = groupCommit(c.commit);
  void commits.add('a');
  await turn();
  void commits.add('b');
  let drained = false;
  const draining = commits.drain().then(() => { drained = true; });
  assert.deepEqual(c.batches, [['a']], 'draining does not start a second commit beside the running one');
  c.finish[0]();
  await turn();
  assert.equal(drained, false, 'b is still being committed');
  assert.deepEqual(c.batches, [['a'], ['b']]);
  c.finish[1]();
  await draining;
  assert.equal(commits.forming, 0);
});

test('a synchronous commit: flush commits at once; a throw fails the batch', async () => {
  const seen: number[][] = [];
  let fail = false;
  const commits = groupCommit((items: number[]) => {
    if (fail) throw new Error('busy');
    seen.push([...items]);
    return items.length;
  });
  const done = [commits.add(1), commits.add(2)];
  commits.flush();
  assert.deepEqual(seen, [[1, 2]], 'committed before flush returned');
  assert.equal(await done[1], 2);
  fail = true;
  const refused = commits.add(3);
  await assert.rejects(refused, /busy/);
  fail = false;
  assert.equal(await commits.add(4), 1);
  assert.deepEqual(seen, [[1, 2], [4]]);
});
