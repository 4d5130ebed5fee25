/**
 * Dev mode: a ready KMS user `dev` whose linked token may call every KMS and CloudTrail operation,
 * so `sealtrail server -dev` prints an access key pair an AWS SDK can use at once. On a restart
 * with a persistent data dir the same key pair is printed again.
 */
import type { PolicyStore } from '../auth/index.js';
import type { KmsEngine } from './backend.js';

export const DEV_KMS_POLICY = 'kms-dev';

const DEV_POLICY_TEXT = `# Written by dev mode: the dev KMS user's calls.
path "kms/aws/*" {
  capabilities = ["update"]
}
path "trail/aws/*" {
  capabilities = ["update"]
}
`;

export async function ensureDevKmsUser(engine: KmsEngine, policies: PolicyStore, name = 'dev'): Promise<{ accessKeyId: string; secretAccessKey: string; arn: string }> {
  if (!(await policies.get(DEV_KMS_POLICY))) await policies.put(DEV_KMS_POLICY, DEV_POLICY_TEXT);
  const user = (await engine.users.get(name)) ?? (await engine.users.upsert(name, [DEV_KMS_POLICY])).user;
  return { accessKeyId: user.accessKeyId, secretAccessKey: user.secretAccessKey, arn: `arn:aws:iam::${engine.location.accountId}:user/${name}` };
}
