/** A KMS user as stored in the mount's encrypted storage (the only place its secret and token live). */
export interface KmsUserRecord {
  name: string;
  /** Vault ACL policies of the linked token. */
  policies: string[];
  principalId: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** The Sealtrail token the user's signed calls run with. Never leaves this storage. */
  tokenId: string;
  createdAt: number;
  accessKeyCreatedAt: number;
}

/** What the AWS edge needs to verify a signature and run the call. */
export interface AccessKeyIdentity {
  accessKeyId: string;
  secretAccessKey: string;
  userName: string;
  arn: string;
  principalId: string;
  accountId: string;
  /** The linked Sealtrail token: the client token of the call's logical request. */
  token: string;
}

export interface AccessKeyResolver {
  /** The identity of an access key id; undefined for unknown or revoked keys. */
  resolve(accessKeyId: string): Promise<AccessKeyIdentity | undefined>;
}

/**
 * Token metadata naming the KMS user on its linked token: shown by token lookups, never read as
 * identity (any token may give its children any metadata). Identity is `UserStore.userOfToken`.
 */
export const TOKEN_META_USER = 'kms_user';
