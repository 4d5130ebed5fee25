/**
 * The CloudTrail event store's health where operators look: sys/health fields and sys/metrics
 * gauges. A store that cannot take events (its disk full, its file lost) loses none while the
 * journal holds them (docs/trails.md), but LookupEvents and trails lack the waiting ones, and past
 * MAX_PENDING_EVENTS every AWS call is refused: worth an alert before that.
 */
import type { SysCore } from './sys-core.js';

type EventStoreRecorder = NonNullable<NonNullable<SysCore['unsealedServices']>['trail']>['recorder'];

/** sys/health's fields for the event store (none while sealed, or without the KMS). */
export function eventStoreHealthFields(recorder: EventStoreRecorder | undefined): Record<string, boolean | number> {
  if (!recorder) return {};
  return { event_store_failing: recorder.failing(), event_store_waiting_events: recorder.pending() };
}

/** Prometheus gauges, appended to sys/metrics. */
export function eventStoreMetricsText(recorder: EventStoreRecorder | undefined): string {
  if (!recorder) return '';
  return [
    '# HELP sealtrail_event_store_failing 1 while the CloudTrail event store cannot take events: they wait, LookupEvents and trails lack them.',
    '# TYPE sealtrail_event_store_failing gauge',
    `sealtrail_event_store_failing ${recorder.failing() ? 1 : 0}`,
    '# HELP sealtrail_event_store_waiting_events CloudTrail events waiting for the event store; AWS calls are refused once too many wait (docs/trails.md).',
    '# TYPE sealtrail_event_store_waiting_events gauge',
    `sealtrail_event_store_waiting_events ${recorder.pending()}`,
    '',
  ].join('\n');
}
