/** The core as the system endpoints see it: its own services plus the audit manager's metrics and health. */
import type { AuditManager } from '../audit/index.js';
import type { Core, CoreServices } from '../core/index.js';

export type SysCore = Core<CoreServices & { audit: Pick<AuditManager, 'hooks' | 'metricsText' | 'health'> }>;
