import { test } from 'node:test';
import assert from 'node:assert/strict';
import { indexerReports } from '../../src/app/journal.js';
import type { Ledger } from '../../src/app/ledger.js';

test("the ledger's failure names the ledger's directory (which may be on a disk of its own), not the journal's database", () => {
  const warned: Array<Record<string, unknown>> = [];
  const log = { warn: (fields: object) => { warned.push(fields as Record<string, unknown>); }, info: () => undefined };
  const watch = { health: { indexerFailing: false, ledgerFailing: false, ledgerLeaves: 0 } };
  const ledger = { dir: '/srv/ledger-disk/ledger', grown: () => undefined } as unknown as Ledger;
  const report = indexerReports('/srv/data/journal.db', log, ledger, watch);
  report({ kind: 'ledger_failing', message: 'ENOSPC: no space left on device', code: 'ENOSPC' });
  report({ kind: 'failing', message: 'SQLITE_FULL', code: 'SQLITE_FULL' });
  assert.deepEqual(warned.map((w) => w.path), ['/srv/ledger-disk/ledger', '/srv/data/journal.db']);
  assert.equal(watch.health.ledgerFailing, true);
});
