/**
 * A node that writes the journal and ledger on PostgreSQL until it is killed (the failover tests
 * run it as a child and kill -9 it). It appends records 16 at a time in flight and prints each
 * acknowledged one (`ack <request id>`), and each checkpoint it signs (`checkpoint <base64 note>`).
 *
 *   node --import tsx test/journal/postgres/active-node.ts <database url> <first id> <records>
 */
import { defaultConfig, type ServerConfig } from '../../../src/config/index.js';
import { openJournalAndLedger } from '../../../src/app/journal.js';
import { systemClock } from '../../../src/lib/clock.js';

export const LEDGER_SEED = Buffer.alloc(32, 7);
export const ORIGIN = 'failover.test/sealtrail';

export function nodeConfig(url: string): ServerConfig {
  const config = defaultConfig();
  return {
    ...config,
    journal: { ...config.journal, storage: 'postgresql', connectionUrl: url },
    ledger: { ...config.ledger, origin: ORIGIN, checkpointIntervalMs: 20 },
  };
}

export const quiet = { warn: () => undefined, info: () => undefined, error: () => undefined };

export function recordOf(id: number) {
  return { kind: 'vault-request' as const, timeNs: 1_780_000_000_000_000_000n + BigInt(id), text: JSON.stringify({ request: { id: `req-${id}` } }), keys: { requestId: `req-${id}` } };
}

async function main(url: string, first: number, count: number): Promise<void> {
  const { journal, ledger } = await openJournalAndLedger(nodeConfig(url), systemClock, quiet);
  await ledger!.unsealed(LEDGER_SEED);
  let shown: string | undefined;
  setInterval(() => {
    const note = ledger!.current()?.note;
    if (note !== undefined && note !== shown) process.stdout.write(`checkpoint ${Buffer.from(note).toString('base64')}\n`);
    shown = note;
  }, 10);
  let next = first;
  const worker = async () => {
    while (next < first + count) {
      const id = next++;
      await journal!.append(recordOf(id));
      process.stdout.write(`ack req-${id}\n`);
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  // Waits to be killed (bounded: the parent kills it well before).
  await new Promise((resolve) => setTimeout(resolve, 60_000));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [url, first, count] = process.argv.slice(2);
  await main(url, Number(first), Number(count));
}
