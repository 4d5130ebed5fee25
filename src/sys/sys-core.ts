/**
 * The core as the system endpoints see it: its own services plus the audit manager's metrics and
 * health, and the CloudTrail event store's health (absent in wirings without the KMS).
 */
import type { AuditManager } from '../audit/index.js';
import type { Core, CoreServices } from '../core/index.js';
import type { TrailRecorder } from '../trail/index.js';

export type SysCore = Core<CoreServices & {
  audit: Pick<AuditManager, 'hooks' | 'metricsText' | 'health'>;
  trail?: { recorder: Pick<TrailRecorder, 'failing' | 'pending'> };
}>;
