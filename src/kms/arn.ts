/**
 * ARNs and key references. AWS accepts a key as its id, its ARN, an alias name (`alias/x`) or an
 * alias ARN, depending on the operation; `parseKeyRef` classifies without looking anything up.
 */
export interface KmsLocation {
  accountId: string;
  region: string;
}

export const keyArn = (loc: KmsLocation, keyId: string) => `arn:aws:kms:${loc.region}:${loc.accountId}:key/${keyId}`;
export const aliasArn = (loc: KmsLocation, aliasName: string) => `arn:aws:kms:${loc.region}:${loc.accountId}:${aliasName}`;
export const userArn = (accountId: string, userName: string) => `arn:aws:iam::${accountId}:user/${userName}`;
export const accountRootArn = (accountId: string) => `arn:aws:iam::${accountId}:root`;

export type KeyRef =
  | { kind: 'id'; keyId: string }
  | { kind: 'keyArn'; keyId: string; region: string; accountId: string }
  | { kind: 'alias'; aliasName: string }
  | { kind: 'aliasArn'; aliasName: string; region: string; accountId: string }
  | { kind: 'invalid' };

export const KEY_ID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ARN_RE = /^arn:aws:kms:([a-z0-9-]+):(\d{12}):(key\/.+|alias\/.+)$/;

export function parseKeyRef(ref: string): KeyRef {
  if (ref.startsWith('alias/')) return { kind: 'alias', aliasName: ref };
  const m = ARN_RE.exec(ref);
  if (m) {
    const [, region, accountId, resource] = m;
    if (resource.startsWith('alias/')) return { kind: 'aliasArn', aliasName: resource, region, accountId };
    return { kind: 'keyArn', keyId: resource.slice(4), region, accountId };
  }
  if (KEY_ID_RE.test(ref)) return { kind: 'id', keyId: ref };
  return { kind: 'invalid' };
}
