/**
 * The two unauthenticated login endpoints:
 *   v0/attest/<platform>/init → { data: { correlation_id, challenge (base64, 32 bytes) } }
 *   v0/attest/<platform>/auth { correlation_id, message (base64 evidence) }
 *     → auth grant (the core mints the token) + { data: { correlation_id, enclave_id, signer_id } }
 * The response data is nested under a second `data`, as APM answers, so the audit entry carries
 * `response.data.data.correlation_id`. Failures are errors the core audits (with
 * `response.data.error`, the reason the client may not see); their messages name the failed check
 * and never contain measurements or evidence.
 */
import type { KeyObject } from 'node:crypto';
import type { PathRequest, LogicalResponse } from '../../core/index.js';
import { SealtrailError, invalid, type ErrorCode } from '../../errors/index.js';
import { envelopeForRecipient, isPlatformName, recipientPublicKey, type PlatformName, type PlatformVerifier, type VerifyFailureCode } from '../../attestation/index.js';
import type { Clock } from '../../lib/clock.js';
import { decodeWrappedBase64, maxBase64Chars } from '../../lib/base64.js';
import { isUuid } from '../../lib/ids.js';
import type { ChallengeStore } from './challenges.js';
import type { ConfigStore } from './config.js';
import type { EntityStore } from './entities.js';
import { displayNameFor, entityIdFor } from './identity.js';
import { matchRoles } from './match.js';
import type { RoleStore } from './roles.js';
import type { RootResolver } from './trust.js';
import type { JournalWriter } from '../../journal/index.js';
import { attestationRecord, type AttestationOutcome } from './attestation-record.js';
import { loginCertificates, loginCollateral } from './login-extras.js';

export interface LoginDeps {
  clock: Clock;
  /** Where each verification's record goes, when the journal is on. */
  journal?: JournalWriter;
  challenges: ChallengeStore;
  config: ConfigStore;
  roles: RoleStore;
  entities: EntityStore;
  verifiers: Record<PlatformName, PlatformVerifier>;
  roots: RootResolver;
}

/**
 * The largest evidence any platform takes (a DCAP quote, attestation/dcap/quote.ts; a Nitro
 * document is at most 32 KiB, an SNP report 1,184 bytes). Longer text is refused before it is
 * read: the login is unauthenticated and the body may be 1 MiB.
 */
export const MAX_EVIDENCE_BYTES = 128 * 1024;
// Evidence shape problems are the client's bad input (400); failed checks are refusals (403).
type BadInput = 'malformed' | 'unsupported_algorithm' | 'collateral_missing' | 'collateral_invalid';
const MALFORMED: ReadonlySet<VerifyFailureCode> = new Set<BadInput>(['malformed', 'unsupported_algorithm', 'collateral_missing', 'collateral_invalid']);
const isMalformed = (code: VerifyFailureCode): code is BadInput => MALFORMED.has(code);

function platformOf(req: PathRequest): PlatformName {
  const platform = req.params.platform;
  if (!isPlatformName(platform)) throw invalid('unsupported attestation platform', 'unsupported_platform');
  return platform;
}

function requiredString(data: Readonly<Record<string, unknown>>, key: string): string {
  const v = data[key];
  if (typeof v !== 'string' || v === '') throw invalid(`missing "${key}"`, 'invalid_field');
  return v;
}

/** The evidence `message` holds: strict base64 of at most MAX_EVIDENCE_BYTES, its length bounded before it is decoded. */
function evidenceOf(data: Readonly<Record<string, unknown>>): Buffer {
  const message = requiredString(data, 'message');
  if (message.length > maxBase64Chars(MAX_EVIDENCE_BYTES)) throw invalid(`"message" is longer than ${MAX_EVIDENCE_BYTES} bytes of evidence can be`, 'invalid_field');
  const evidence = decodeWrappedBase64(message);
  if (!evidence) throw invalid('"message" must be base64-encoded attestation evidence', 'invalid_field');
  if (evidence.length > MAX_EVIDENCE_BYTES) throw invalid(`"message" holds more than ${MAX_EVIDENCE_BYTES} bytes of evidence`, 'invalid_field');
  return evidence;
}

const refused = (code: ErrorCode, message: string) => new SealtrailError('permission', code, message);
const NOT_AUTHORIZED = 'attestation refused: no role authorizes this enclave';

/** The operator's reason when only roles stored before a rule match: what to add, never what was measured. */
function incompleteRoles(lacking: Readonly<Record<string, string>>): string {
  const each = Object.entries(lacking).map(([name, fields]) => `role "${name}" admits nothing until it is written again pinning ${fields}`);
  return `attestation refused: ${each.join('; ')}`;
}

export function initHandler(deps: LoginDeps) {
  return async (req: PathRequest): Promise<LogicalResponse> => {
    const platform = platformOf(req);
    const { challengeTtl } = await deps.config.general();
    const issued = deps.challenges.issue(platform, challengeTtl * 1000);
    return { data: { data: { correlation_id: issued.correlationId, challenge: Buffer.from(issued.challenge).toString('base64') } } };
  };
}

export function authHandler(deps: LoginDeps) {
  return async (req: PathRequest): Promise<LogicalResponse> => {
    const platform = platformOf(req);
    const asked = requiredString(req.data, 'correlation_id');
    // It goes into the response entry, in clear where the mount exempts it (the dev mount and the
    // SPEC's tuning do), and into the journal's keys: only the shape init hands out is taken, in
    // the lower case init hands it out in (a UUID's case means nothing, so one sent upper-cased
    // must not file the login apart from its init).
    if (!isUuid(asked)) throw invalid('"correlation_id" must be the UUID that init returned', 'invalid_field');
    const correlationId = asked.toLowerCase();
    // Consumed before anything else of the request is read: one attempt per challenge, whatever
    // is wrong with the rest of it (docs/attestation.md). A request refused here (an id already
    // used, expired or never issued) never held the challenge: its records carry no correlation id
    // key, so whoever knows an id cannot file requests under it.
    const challenge = deps.challenges.consume(correlationId, platform);
    try {
      const evidence = evidenceOf(req.data);
      const witness = (outcome: Omit<AttestationOutcome, 'requestId' | 'mountPath' | 'remoteAddress' | 'platform' | 'correlationId' | 'evidence'>) =>
        deps.journal?.append(attestationRecord({
          ...outcome, requestId: req.logical.id, mountPath: req.mount.path, remoteAddress: req.logical.remoteAddress, platform, correlationId, evidence,
        }, deps.clock));
      return await authenticate(deps, { platform, correlationId, challenge, evidence, data: req.data }, witness);
    } catch (err) {
      // A failed attestation's response entry still carries its correlation id (and nothing
      // measured), so the failure pairs with its init in the audit log, and its precise reason
      // under `error` (hashed unless the mount exempts it), as the seed's diagnostics describe.
      if (err instanceof SealtrailError && err.kind !== 'internal') {
        throw err.withAuditData({ data: { correlation_id: correlationId }, error: err.auditText });
      }
      throw err;
    }
  };
}

type Witness = (outcome: Pick<AttestationOutcome, 'verdict' | 'reason' | 'claims' | 'entityId' | 'roles'>) => Promise<void> | undefined;

interface LoginAttempt {
  platform: PlatformName;
  correlationId: string;
  /** The challenge this attempt consumed (its correlation id's). */
  challenge: Uint8Array;
  evidence: Buffer;
  /** The request body: certificates and collateral that come with the evidence (login-extras.ts). */
  data: Readonly<Record<string, unknown>>;
}

async function authenticate(deps: LoginDeps, attempt: LoginAttempt, witness: Witness): Promise<LogicalResponse> {
  const { platform, correlationId, challenge, evidence } = attempt;

  const config = await deps.config.platform(platform);
  let certificates: ReturnType<typeof loginCertificates>;
  let collateral: ReturnType<typeof loginCollateral>;
  try {
    certificates = loginCertificates(platform, attempt.data);
    collateral = loginCollateral(platform, attempt.data, config);
  } catch (err) {
    // Refused before the evidence is looked at (collateral older than the operator's, a malformed
    // certificate list): still an attestation attempt, recorded with its reason.
    if (err instanceof SealtrailError) await witness({ verdict: 'failed', reason: err.auditText });
    throw err;
  }
  const result = deps.verifiers[platform].verify(evidence, {
    trustedRoots: deps.roots(platform, config),
    now: deps.clock.now(),
    maxAgeMs: config.maxEvidenceAge * 1000,
    expectedNonce: challenge,
    allowDebug: true, // decided per role below
    ...(certificates ? { certificates } : {}),
    ...(config.crls.length > 0 ? { crls: config.crls.map((c) => Buffer.from(c, 'base64')) } : {}),
    ...(collateral ? { collateral } : {}),
  });
  if (!result.ok) {
    const text = `attestation failed: ${result.message}`;
    await witness({ verdict: 'failed', reason: text });
    throw isMalformed(result.code) ? invalid(text, `evidence_${result.code}`) : refused(`attestation_${result.code}`, text);
  }
  const claims = result.claims;
  const enclaveKey = claims.publicKey ? recipientPublicKey(claims.publicKey) : undefined;
  const match = matchRoles(await deps.roles.all(), claims, config.allowDebug, enclaveKey?.ok === true);
  if (!match.ok) {
    // One answer for every reason, so a prober cannot learn that its measurements would match a
    // role; the audit entry says which it was.
    const why = match.reason === 'debug_not_allowed'
      ? 'attestation refused: debug-mode enclaves are not allowed by the matching roles'
      : match.reason === 'tcb_not_accepted'
        ? `attestation refused: the platform's TCB${claims.tcbStatus ? ` (${claims.tcbStatus})` : ''}${claims.migrationAgent ? ' or guest policy (it allows a migration agent)' : ''} does not meet the matching roles`
        : match.reason === 'enclave_key_missing'
          ? `attestation refused: the matching roles bind the token to the enclave's key, and the document's public_key ${enclaveKey === undefined ? 'is absent' : enclaveKey.ok ? 'is usable' : enclaveKey.message}`
          : match.reason === 'role_incomplete' ? incompleteRoles(match.lacking) : NOT_AUTHORIZED;
    await witness({ verdict: 'refused', reason: why, claims });
    throw new SealtrailError('permission', match.reason, NOT_AUTHORIZED, { auditMessage: why });
  }
  const { grant } = match;
  const entityId = entityIdFor(claims.signerId, claims.enclaveId);
  const entityCreated = await deps.entities.register(entityId, deps.clock.now());
  await witness({ verdict: 'granted', claims, entityId, roles: grant.roles });
  const data = { correlation_id: correlationId, enclave_id: claims.enclaveId, signer_id: claims.signerId };
  const sealed = grant.boundToEnclaveKey && enclaveKey?.ok === true;
  return {
    auth: {
      policies: grant.policies,
      displayName: displayNameFor(claims.signerId, claims.enclaveId),
      // Token metadata is never hashed in audit entries (Vault's rule), so the correlation id
      // stays out of it: it is in the response data, where the mount's tune decides. What a
      // renewal must check again without evidence (renewal.ts) is here too.
      metadata: {
        platform, signer_id: claims.signerId, enclave_id: claims.enclaveId, role: grant.roles.join(','),
        ...(claims.debug ? { debug: 'true' } : {}),
        ...(sealed ? { bound_to_enclave_key: 'true' } : {}),
      },
      entityId,
      entityCreated,
      ttl: grant.ttl,
      numUses: grant.numUses,
      renewable: true,
    },
    data: { data },
    // Bound: the client gets the token only inside an envelope for the document's key, which the
    // hardware signed with the evidence; whoever relays the answer cannot open it.
    ...(sealed ? { sealToken: (token: string) => sealedAnswer(enclaveKey.key, token, data) } : {}),
  };
}

/** A bound login's data: the token as CMS EnvelopedData for the enclave's key, as KMS's CiphertextForRecipient. */
function sealedAnswer(key: KeyObject, token: string, data: Record<string, string>): Record<string, unknown> {
  return { data: { ...data, ciphertext_for_recipient: envelopeForRecipient(key, Buffer.from(token, 'utf8')).toString('base64') } };
}
