import { after } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSqliteStorage } from '../../src/storage/sqlite/index.js';
import { storageContract } from './conformance.js';

const dir = mkdtempSync(join(tmpdir(), 'sealtrail-sqlite-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

storageContract('sqlite', () => createSqliteStorage({ path: join(dir, `contract-${n++}.db`) }), { atomicTransactions: true });
storageContract('sqlite in memory', () => createSqliteStorage({ path: ':memory:' }), { atomicTransactions: true });
