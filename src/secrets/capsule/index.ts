/**
 * The capsule secrets engine: data sealed into opaque capsules whose every create, open and read
 * leaves an access-log record, plus a control log of every context, key and mount change, of the
 * logins that start a session of the domain (sessions.ts) and of the ACL policy changes that alter
 * who may act on it (policy-changes.ts). Each mount is a domain (`dm-…`) with its own key ring,
 * contexts and logs.
 *
 * Paths (relative to the mount):
 *   encapsulate (update), load (update)
 *   write-context/<name>, read-context/<name> (read, create/update, delete, list)
 *   keys (read), keys/rotate (update)
 *   log/access, log/control (read; query parameters filter and page)
 *
 * @example
 *   const backend = await capsuleBackend({ mount, storage, clock: systemClock });
 *   const { data } = await backend.handleRequest({ ...req, operation: 'update', path: 'encapsulate',
 *     data: { data: 'hello John Smith', write_context: 'sensitive' } });
 */
import { backendFromPaths, type Backend, type BackendContext, type BackendFactory } from '../../core/index.js';
import { invalid } from '../../errors/index.js';
import { capsuleEngine, type ControlEvent } from './engine.js';
import { writeContextPaths, readContextPaths } from './paths-contexts.js';
import { encapsulatePath } from './paths-encapsulate.js';
import { keyPaths } from './paths-keys.js';
import { loadPath } from './paths-load.js';
import { logPaths } from './paths-logs.js';
import { recordPolicyChange } from './policy-changes.js';
import { recordSessionStart } from './sessions.js';
import type { ControlRecord } from './log/records.js';

export interface MountTuneEvent {
  /** The caller's token accessor (the control log shows its session id instead). */
  session: string | null;
  /** The request path, e.g. `/v1/sys/mounts/capsule/tune`, and its HTTP method. */
  url: string;
  method?: string;
  /** The tuned settings (no secrets). */
  description: Record<string, unknown>;
}

/** A capsule backend also records mount tunes in its control log (the core calls this). */
export interface CapsuleBackend extends Backend {
  readonly domain: string;
  recordMountTune(event: MountTuneEvent): Promise<ControlRecord>;
  /** The session id a token accessor appears as in this domain's logs. */
  sessionId(accessor: string): Promise<string>;
}

export function createCapsuleBackend(ctx: BackendContext): CapsuleBackend {
  const engine = capsuleEngine(ctx.mount.uuid, ctx.storage, ctx.clock, ctx.journal);
  const backend = backendFromPaths([
    encapsulatePath(engine),
    loadPath(engine),
    ...writeContextPaths(engine),
    ...readContextPaths(engine),
    ...keyPaths(engine),
    ...logPaths(engine),
  ]);
  return {
    ...backend,
    domain: engine.domain,
    async recordMountTune(event) {
      await engine.ready();
      const tune: ControlEvent = { summary: 'Tuned mount', description: { method: event.method ?? 'POST', ...event.description } };
      return engine.logs.appendControl({ session: event.session ? engine.logs.sessionId(event.session) : null, url: event.url, ...tune });
    },
    onSessionStart: (event) => recordSessionStart(engine, event),
    onPolicyChange: (event) => recordPolicyChange(engine, event),
    async sessionId(accessor) {
      await engine.ready();
      return engine.logs.sessionId(accessor);
    },
  };
}

export const capsuleBackend: BackendFactory = createCapsuleBackend;

/** The mount-tune hook for a backend the core holds as a plain Backend. */
export function recordCapsuleMountTune(backend: Backend, event: MountTuneEvent): Promise<ControlRecord> {
  if (!('recordMountTune' in backend) || typeof backend.recordMountTune !== 'function') {
    throw invalid('not a capsule backend', 'capsule_not_capsule_backend');
  }
  return (backend as CapsuleBackend).recordMountTune(event);
}

export { domainIdForMount } from './domain.js';
export { DETECTOR_NAMES } from './classify/detectors.js';
export { REDACTED } from './apply-read.js';
export { MAX_INPUT_BYTES } from './records.js';
export type { AccessRecord, ControlRecord, ReadInfo } from './log/records.js';
export type { TagSummary } from './tag-summary.js';
export type { Tag } from './tags.js';
