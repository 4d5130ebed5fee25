/** KeyMetadata exactly as AWS's DescribeKey/CreateKey return it (timestamps in epoch seconds). */
import { keyArn, type KmsLocation } from '../arn.js';
import { keyMaterialId } from './material-id.js';
import { currentMaterial, type KmsKeyRecord } from './model.js';

export function keyMetadata(loc: KmsLocation, key: KmsKeyRecord): Record<string, unknown> {
  const meta: Record<string, unknown> = {
    AWSAccountId: loc.accountId,
    KeyId: key.keyId,
    Arn: keyArn(loc, key.keyId),
    CreationDate: key.createdAt / 1000,
    Enabled: key.state === 'Enabled',
    Description: key.description,
    KeyUsage: key.keyUsage,
    KeyState: key.state,
    Origin: 'AWS_KMS',
    KeyManager: 'CUSTOMER',
    CustomerMasterKeySpec: key.keySpec,
    KeySpec: key.keySpec,
    EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'],
    MultiRegion: false,
    CurrentKeyMaterialId: keyMaterialId(key.keyId, currentMaterial(key)),
  };
  // PendingDeletionWindowInDays is AWS's for a multi-Region primary waiting on its replicas only.
  if (key.state === 'PendingDeletion' && key.deletionDate !== undefined) meta.DeletionDate = key.deletionDate / 1000;
  return meta;
}
