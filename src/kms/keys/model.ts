/** A KMS key as stored (inside the mount's encrypted storage). Times are ms since the epoch. */
export type KeyState = 'Enabled' | 'Disabled' | 'PendingDeletion';

export interface KeyMaterial {
  /** 1, 2, ... — written into every ciphertext so old material still decrypts after rotation. */
  version: number;
  /** base64 of the 32-byte AES-256 key. */
  key: string;
  createdAt: number;
  rotationType?: 'AUTOMATIC' | 'ON_DEMAND';
}

export interface Tag {
  TagKey: string;
  TagValue: string;
}

export interface KmsKeyRecord {
  keyId: string;
  createdAt: number;
  description: string;
  keyUsage: 'ENCRYPT_DECRYPT';
  keySpec: 'SYMMETRIC_DEFAULT';
  state: KeyState;
  /** Set while PendingDeletion. */
  deletionDate?: number;
  pendingWindowInDays?: number;
  /** The key policy document (JSON text, as given). */
  policy: string;
  /**
   * The principal id of each user ARN the policy names, bound when the policy was written
   * (operations/policy-principals.ts); `''` for one that named no user. Absent on a key stored
   * before bindings existed, until its first use binds it.
   */
  principalIds?: Record<string, string>;
  tags: Tag[];
  rotation: { enabled: boolean; periodDays: number; lastRotatedAt?: number };
  materials: KeyMaterial[];
}

export interface AliasRecord {
  aliasName: string;
  targetKeyId: string;
  createdAt: number;
  updatedAt: number;
}

export const currentMaterial = (key: KmsKeyRecord): KeyMaterial => key.materials[key.materials.length - 1];
