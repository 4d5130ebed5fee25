/**
 * The `Recipient` parameter of Decrypt, GenerateDataKey and GenerateRandom: an enclave's Nitro
 * attestation document whose `public_key` receives the result. The document is verified against
 * the server's trust roots (the AWS Nitro root, plus the development CA when configured); its PCRs
 * become the policy condition keys `kms:RecipientAttestation:ImageSha384` (PCR0) and
 * `kms:RecipientAttestation:PCR<n>`, and its identity goes into the CloudTrail event.
 */
import type { KeyObject } from 'node:crypto';
import { awsNitroRoot, recipientPublicKey, verifyNitroDocument, type CertificateCache, type NitroClaims } from '../../attestation/index.js';
import type { Clock } from '../../lib/clock.js';
import { kmsError, validationError } from '../errors.js';
import { optBlob, optObject, optString, type AwsBody } from '../operations/input.js';

export const KEY_ENCRYPTION_ALGORITHMS = ['RSAES_OAEP_SHA_256'] as const;

export interface RecipientDeps {
  /** PEM roots besides AWS's (e.g. the development CA); read at every call so config reloads apply. */
  trustedRoots: () => readonly string[];
  clock: Clock;
  cache?: CertificateCache;
}

export interface VerifiedRecipient {
  publicKey: KeyObject;
  claims: NitroClaims;
  /** Lower-cased condition keys for the key policy. */
  conditionContext: Record<string, string>;
  /** `additionalEventData.recipient` of the CloudTrail event. */
  eventData: Record<string, string>;
}

/** The Recipient structure of a request, or undefined when absent. Validates its members. */
export function readRecipient(body: AwsBody): { document: Buffer; algorithm: string } | undefined {
  const r = optObject(body, 'Recipient');
  if (!r) return undefined;
  const algorithm = optString(r, 'KeyEncryptionAlgorithm') ?? 'RSAES_OAEP_SHA_256';
  if (!(KEY_ENCRYPTION_ALGORITHMS as readonly string[]).includes(algorithm)) {
    throw validationError([{ member: 'recipient.keyEncryptionAlgorithm', value: algorithm, constraint: `Member must satisfy enum value set: [${KEY_ENCRYPTION_ALGORITHMS.join(', ')}]` }]);
  }
  const document = optBlob(r, 'AttestationDocument');
  if (!document || document.length === 0) {
    throw validationError([{ member: 'recipient.attestationDocument', value: null, constraint: 'Member must not be null' }]);
  }
  if (document.length > 262_144) {
    throw validationError([{ member: 'recipient.attestationDocument', constraint: 'Member must have length less than or equal to 262144' }]);
  }
  return { document, algorithm };
}

const EVENT_PCRS = [1, 2, 3, 4, 8];

export function verifyRecipient(document: Uint8Array, deps: RecipientDeps): VerifiedRecipient {
  const result = verifyNitroDocument(document, {
    trustedRoots: [awsNitroRoot(), ...deps.trustedRoots()],
    now: deps.clock.now(),
    cache: deps.cache,
    // Debug enclaves report zeroed PCRs, so a policy on measurements already refuses them.
    allowDebug: true,
  });
  if (!result.ok) throw kmsError('ValidationException', `The attestation document in the Recipient parameter is not valid: ${result.message}`);
  const claims = result.claims as NitroClaims;
  if (!claims.publicKey) throw kmsError('ValidationException', 'The attestation document in the Recipient parameter has no public key');
  const key = recipientPublicKey(claims.publicKey);
  if (!key.ok) throw kmsError('ValidationException', `The public key in the attestation document ${key.message}`);
  const publicKey = key.key;
  const conditionContext: Record<string, string> = { 'kms:recipientattestation:imagesha384': claims.enclaveId };
  for (const [index, value] of Object.entries(claims.measurements)) conditionContext[`kms:recipientattestation:pcr${index}`] = value;
  const eventData: Record<string, string> = {
    attestationDocumentModuleId: claims.moduleId,
    attestationDocumentEnclaveImageDigest: claims.enclaveId,
  };
  for (const i of EVENT_PCRS) {
    const v = claims.measurements[String(i)];
    if (v !== undefined) eventData[`attestationDocumentEnclavePCR${i}`] = v;
  }
  return { publicKey, claims, conditionContext, eventData };
}
