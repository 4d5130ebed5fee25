/**
 * The journal's attestation record: one per verification, whatever its outcome — the platform,
 * what was measured, the verdict and its reason, and the evidence's SHA-256 (the evidence itself
 * is not kept). It carries the login request's id and the challenge's correlation id, so it joins
 * the login's audit entries and, through the entity, everything the token did afterwards.
 */
import { createHash } from 'node:crypto';
import type { AttestationClaims, PlatformName } from '../../attestation/index.js';
import type { JournalAppend } from '../../journal/index.js';
import type { Clock } from '../../lib/clock.js';
import { rfc3339Nano } from '../../lib/time.js';

export type AttestationVerdict = 'granted' | 'refused' | 'failed';

export interface AttestationOutcome {
  requestId: string;
  mountPath: string;
  remoteAddress: string;
  platform: PlatformName;
  correlationId: string;
  evidence: Uint8Array;
  /** `granted`: a role authorized the enclave; `refused`: verified, no role; `failed`: not verified. */
  verdict: AttestationVerdict;
  /** Why it was not granted (the audit entry's reason, never evidence content). */
  reason?: string;
  /** What was verified (absent when the evidence did not verify). */
  claims?: AttestationClaims;
  /** The entity the login's token belongs to (granted logins). */
  entityId?: string;
  roles?: readonly string[];
}

export function attestationRecord(outcome: AttestationOutcome, clock: Clock): JournalAppend {
  const timeNs = clock.nowNs();
  const claims = outcome.claims;
  const record = {
    time: rfc3339Nano(timeNs),
    type: 'attestation',
    request_id: outcome.requestId,
    correlation_id: outcome.correlationId,
    mount: outcome.mountPath,
    platform: outcome.platform,
    verdict: outcome.verdict,
    reason: outcome.reason ?? null,
    evidence_sha256: createHash('sha256').update(outcome.evidence).digest('hex'),
    evidence_bytes: outcome.evidence.byteLength,
    enclave_id: claims?.enclaveId ?? null,
    signer_id: claims?.signerId ?? null,
    debug: claims?.debug ?? null,
    measurements: claims?.measurements ?? null,
    tcb_status: claims?.tcbStatus ?? null,
    advisory_ids: claims?.advisoryIds ?? null,
    snp_tcb: claims?.snpTcb ?? null,
    evidence_time: claims ? new Date(claims.timestamp).toISOString() : null,
    entity_id: outcome.entityId ?? null,
    roles: outcome.roles ?? null,
  };
  return {
    kind: 'attestation',
    timeNs,
    text: JSON.stringify(record),
    keys: {
      requestId: outcome.requestId,
      correlationId: outcome.correlationId,
      entityId: outcome.entityId,
      remoteAddress: outcome.remoteAddress || undefined,
      path: `${outcome.mountPath}v0/attest/${outcome.platform}/auth`,
      operation: 'attest',
      outcome: outcome.verdict === 'granted' ? 'success' : 'failure',
    },
  };
}
