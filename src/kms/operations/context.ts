/** What every KMS operation handler receives. */
import type { Clock } from '../../lib/clock.js';
import type { KmsLocation } from '../arn.js';
import type { ApiCallFacts } from '../../trail/index.js';
import type { KeyStore } from '../keys/store.js';
import type { RecipientDeps } from '../recipient/attestation.js';
import type { AwsBody } from './input.js';
import type { ConditionValue } from '../policy/index.js';

/** The account's users, as a key policy's principals name them. */
export interface PrincipalDirectory {
  /** The user of this name whatever its case. */
  find(name: string): Promise<{ name: string; principalId: string } | undefined>;
}

export interface KmsServices {
  keys: KeyStore;
  location: KmsLocation;
  clock: Clock;
  recipient: RecipientDeps;
  users: PrincipalDirectory;
  /** Records the DeleteKey service event of a key deleted at the end of its waiting period. */
  keyDeleted?: (keyId: string) => Promise<void>;
  /** Records the RotateKey service event of a rotation of the key's material, with its serviceEventDetails. */
  keyRotated?: (keyId: string, details: Record<string, string>) => Promise<void>;
}

export interface KmsCall {
  /** The AWS request body. */
  body: AwsBody;
  /** The caller's IAM-style ARN (the key policy's principal). */
  principalArn: string;
  /** The caller's unique id: a user's principal id (`AIDA…`), the account for root, else its token's. */
  principalId: string;
  /**
   * The global condition keys IAM gives every request, as far as they exist here (lower-cased):
   * aws:SourceIp, aws:SecureTransport, aws:PrincipalAccount, aws:PrincipalType, aws:username.
   */
  requestConditions: Readonly<Record<string, ConditionValue>>;
  /** Keys named by an alias in this request, by key id: the key policy's kms:RequestAlias. */
  requestAliases: Map<string, string>;
  /**
   * What the handler learns for the call's CloudTrail event but not its response (the keys it
   * resolved, in order: ReEncrypt's source then destination; the verified recipient). Made fresh
   * for each call and returned with its result or its error.
   */
  notes: ApiCallFacts;
}

export type OperationHandler = (call: KmsCall, svc: KmsServices) => Promise<Record<string, unknown>>;
