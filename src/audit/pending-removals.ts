/**
 * Disabling an audit device through the API without ever answering an error with the device gone.
 *
 * As in Vault, the device stops receiving entries when the disable runs, so the disable's own
 * response entry goes to the devices that remain. Here the removal becomes final only once that
 * entry was recorded: the audit hooks watch for the disabling request's response entry and commit
 * the removal (persist, close the sink) when it was recorded, or put the device back when it was
 * not (no remaining device could record it), when it carries an error, or when committing failed.
 * The client then gets the 500 of an unrecorded response with the device still in place.
 */
import { internal } from '../errors/index.js';
import type { AuditHooks, AuditInput } from './model.js';

export interface Removal {
  /** Makes the removal final; a rejection puts the device back and fails the request. */
  commit(): Promise<void>;
  /** Puts the device back. */
  rollback(): void;
}

export interface PendingRemovals {
  /** `hooks` with the response entries of pending removals watched. */
  readonly hooks: AuditHooks;
  /**
   * Holds `removal` until the response entry of request `requestId` settled; resolves once it was
   * committed or rolled back. Rolled back after `limitMs` if that entry never comes.
   */
  hold(requestId: string, removal: Removal, limitMs: number): Promise<void>;
}

interface Held extends Removal {
  settle(): void;
}

export function createPendingRemovals(inner: AuditHooks, log: { warn(obj: object, msg: string): void }): PendingRemovals {
  const held = new Map<string, Held>();

  async function settleWith(entry: Held, input: AuditInput, written: Promise<void>): Promise<void> {
    try {
      try {
        await written;
      } catch (err) {
        entry.rollback();
        throw err;
      }
      if (input.error !== undefined) return entry.rollback();
      try {
        await entry.commit();
      } catch (err) {
        entry.rollback();
        log.warn({ reason: err instanceof Error ? err.message : 'unknown' }, 'audit device could not be disabled after its response entry was recorded; it stays enabled');
        throw internal(err);
      }
    } finally {
      entry.settle();
    }
  }

  const hooks: AuditHooks = {
    get enabled() { return inner.enabled; },
    logRequest: (input) => inner.logRequest(input),
    logResponse(input) {
      const entry = held.size === 0 ? undefined : held.get(input.request.id);
      if (!entry) return inner.logResponse(input);
      held.delete(input.request.id);
      return settleWith(entry, input, inner.logResponse(input));
    },
  };

  return {
    hooks,
    hold(requestId, removal, limitMs) {
      return new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          if (held.get(requestId) !== entry) return;
          held.delete(requestId);
          log.warn({ limitMs }, 'audit device disable: no response entry followed; the device stays enabled');
          removal.rollback();
          resolve();
        }, limitMs);
        timer.unref();
        const entry: Held = {
          commit: () => removal.commit(),
          rollback: () => removal.rollback(),
          settle: () => { clearTimeout(timer); resolve(); },
        };
        held.set(requestId, entry);
      });
    },
  };
}
