/** The trail module: CloudTrail records, the event store, LookupEvents, trails and validate-logs. */
export { formatCloudTrailRecord, type CloudTrailRecord } from './format.js';
export type { TrailEventInput, TrailRecorder, TrailResource, TrailUserIdentity } from './model.js';
export { createEventStore, type EventStoreOptions } from './store/event-store.js';
export { createPostgresEventStore, type PostgresEventStoreOptions } from './store/postgres/pg-event-store.js';
export { EVENT_POOL_CONNECTIONS, EVENT_CONNECT_TIMEOUT_MS, EVENT_STATEMENT_TIMEOUT_MS } from './store/postgres/schema.js';
export type { EventStore, EventQuery, LookupAttributeKey } from './store/types.js';
export { lookupEvents, type LookupEventsResponse } from './lookup/lookup-events.js';
export { createTrailRecorder } from './recorder.js';
export { trailBackend, type TrailBackendDeps } from './backend.js';
export { createTrailManager, type TrailManager, type TrailManagerDeps, type TrailSummary } from './delivery/trail-manager.js';
export type { TrailConfig, DeliveryResult } from './delivery/trail-writer.js';
export type { LedgerHead, LedgerCheckpointField } from './delivery/ledger-checkpoint.js';
export { validateTrailBucket, validateTrailDirectory } from './validate/index.js';
export { createS3Client } from './delivery/s3-destination.js';
export { assertTrailDirectory, keysFromPath, keysFromPublicKeyList, MAX_OBJECT_BYTES } from './validate/index.js';
export { apiCallRecorder, type ApiCallFacts } from './api-call.js';
export { cloudTrailOperation } from './backend.js';
export { s3Uri } from './delivery/object-keys.js';
