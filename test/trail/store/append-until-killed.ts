/**
 * A child process for the event store's kill test: opens the store at argv[2] and appends events
 * from 8 concurrent writers, printing each event id once its append is acknowledged, until it is
 * killed (or after 20,000 events, so a lost parent cannot leave it running).
 */
import { randomUUID } from 'node:crypto';
import { systemClock } from '../../../src/lib/clock.js';
import { formatCloudTrailRecord } from '../../../src/trail/format.js';
import { createEventStore } from '../../../src/trail/store/event-store.js';
import { kmsEvent } from '../fixtures.js';

const store = createEventStore({ path: process.argv[2], encryptionKey: new Uint8Array(32).fill(7), clock: systemClock, purgeIntervalMs: 0 });
let left = 20_000;
const writer = async () => {
  while (left-- > 0) {
    const eventId = randomUUID();
    const seq = await store.append({ record: formatCloudTrailRecord(kmsEvent({ eventId, eventTime: Date.now() })), timeMs: Date.now() });
    process.stdout.write(`${seq} ${eventId}\n`);
  }
};
await Promise.all(Array.from({ length: 8 }, writer));
await store.close();
