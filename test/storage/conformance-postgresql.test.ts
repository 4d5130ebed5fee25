import { after, before } from 'node:test';
import { createPostgresStorage } from '../../src/storage/postgresql/index.js';
import { startPostgres, type PostgresCluster } from '../helpers/postgres.js';
import { storageContract } from './conformance.js';

let cluster: PostgresCluster;
before(async () => { cluster = await startPostgres(); });
after(() => cluster?.destroy());
let n = 0;

// Each test gets a table of its own in the one throwaway cluster.
storageContract('postgresql', () => createPostgresStorage({ connectionUrl: cluster.url, table: `conformance_${n++}`, maxParallel: 8 }), { atomicTransactions: true });
