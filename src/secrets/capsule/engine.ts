/**
 * One domain's state, shared by the paths: key ring, contexts, logs. `ready()` initializes the
 * domain on first use (key ring version 1, the built-in contexts) rather than in the factory,
 * because the factory may run before storage is writable.
 */
import type { Clock } from '../../lib/clock.js';
import type { Storage, StorageOp } from '../../storage/index.js';
import { contextStore, type ContextStore } from './context-store.js';
import { domainIdForMount } from './domain.js';
import { keyRing, type KeyRing } from './keyring.js';
import { actorOf, type Actor, type ControlRecord } from './log/records.js';
import { capsuleLogs, type CapsuleLogs } from './log/store.js';
import { journalWitness } from './log/journal-record.js';
import type { JournalWriter } from '../../journal/index.js';
import { BUILTIN_READ_CONTEXTS, UNDELETABLE_READ_CONTEXTS, type ReadContext } from './read-context.js';
import { BUILTIN_WRITE_CONTEXTS, UNDELETABLE_WRITE_CONTEXTS, type WriteContext } from './write-context.js';
import { httpMethodOf, type BackendRequest } from '../../core/index.js';

export interface ControlEvent {
  summary: string;
  description: Record<string, unknown>;
}

export interface CapsuleEngine {
  domain: string;
  clock: Clock;
  keys: KeyRing;
  writeContexts: ContextStore<WriteContext>;
  readContexts: ContextStore<ReadContext>;
  logs: CapsuleLogs;
  ready(): Promise<void>;
  /** Who is acting, as the logs show it (after `ready`). */
  actor(token: BackendRequest['token']): Actor;
  /** A control record for `req` and the storage writes that store it (for an atomic transaction). */
  controlRecord(req: BackendRequest, event: ControlEvent): { record: ControlRecord; ops: StorageOp[]; committed(): Promise<void> };
}

export function capsuleEngine(mountUuid: string, storage: Storage, clock: Clock, journal?: JournalWriter): CapsuleEngine {
  const keys = keyRing(storage, clock);
  const writeContexts = contextStore(storage, 'write-context/', BUILTIN_WRITE_CONTEXTS, UNDELETABLE_WRITE_CONTEXTS);
  const readContexts = contextStore(storage, 'read-context/', BUILTIN_READ_CONTEXTS, UNDELETABLE_READ_CONTEXTS);
  const logs = capsuleLogs(storage, clock, journalWitness(journal));
  let init: Promise<void> | undefined;

  return {
    domain: domainIdForMount(mountUuid),
    clock,
    keys,
    writeContexts,
    readContexts,
    logs,
    ready() {
      init ??= (async () => {
        if ((await storage.get('init')) === undefined) {
          await keys.ensure();
          await writeContexts.seed();
          await readContexts.seed();
          await storage.put('init', Buffer.from('1'));
        }
        await logs.open();
      })().catch((err: unknown) => {
        init = undefined; // let the next request try again
        throw err;
      });
      return init;
    },
    actor: (token) => actorOf(token, logs.sessionId),
    controlRecord(req, event) {
      return logs.controlRecord({
        session: actorOf(req.token, logs.sessionId).session,
        url: `/v1/${req.logical.path}`,
        summary: event.summary,
        description: { method: httpMethodOf(req.logical), ...event.description },
      }, { requestId: req.logical.id });
    },
  };
}
