/**
 * Typed reads of an AWS JSON request body. A member of the wrong JSON type is AWS's
 * SerializationException, for every declared member before the handler runs (checkMemberTypes,
 * lib/aws-members.ts); range and length limits are checked by each operation (ValidationException).
 */
import { kmsError, validationError } from '../errors.js';
import { setOwn } from '../../lib/safe-object.js';

export type AwsBody = Readonly<Record<string, unknown>>;

function wrongType(member: string, expected: string) {
  return kmsError('SerializationException', `${member}: expected ${expected}`);
}

export function optString(body: AwsBody, member: string): string | undefined {
  const v = body[member];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw wrongType(member, 'a string');
  return v;
}

/** A required string: absent is AWS's "Value null at 'keyId' ... must not be null". */
export function reqString(body: AwsBody, member: string): string {
  const v = optString(body, member);
  if (v === undefined) throw validationError([{ member: lowerFirst(member), value: null, constraint: 'Member must not be null' }]);
  return v;
}

export function optInt(body: AwsBody, member: string): number | undefined {
  const v = body[member];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v)) throw wrongType(member, 'an integer');
  return v;
}

export function optBool(body: AwsBody, member: string): boolean | undefined {
  const v = body[member];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') throw wrongType(member, 'a boolean');
  return v;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** A blob member (base64 on the wire). */
export function optBlob(body: AwsBody, member: string): Buffer | undefined {
  const v = body[member];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string' || !BASE64.test(v)) throw wrongType(member, 'a base64-encoded blob');
  return Buffer.from(v, 'base64');
}

export function optStringMap(body: AwsBody, member: string): Record<string, string> | undefined {
  const v = body[member];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) throw wrongType(member, 'a map of strings');
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(v as Record<string, unknown>)) {
    if (typeof val !== 'string') throw wrongType(`${member}.${k}`, 'a string');
    setOwn(out, k, val);
  }
  return out;
}

export function optStringList(body: AwsBody, member: string): string[] | undefined {
  const v = body[member];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw wrongType(member, 'a list of strings');
  return v as string[];
}

export function optObject(body: AwsBody, member: string): AwsBody | undefined {
  const v = body[member];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) throw wrongType(member, 'a structure');
  return v as AwsBody;
}

export function optObjectList(body: AwsBody, member: string): AwsBody[] | undefined {
  const v = body[member];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'object' || x === null || Array.isArray(x))) throw wrongType(member, 'a list of structures');
  return v as AwsBody[];
}

const MAX_GRANT_TOKENS = 10;
const MAX_GRANT_TOKEN_LENGTH = 8192;

/**
 * GrantTokens: AWS's list of at most 10 tokens of 1..8192 characters. No handler reads them (there
 * are no grants), but every operation that takes them holds them to AWS's limits. Tokens are bearer
 * credentials, so a refusal never shows one.
 */
export function checkGrantTokens(body: AwsBody): void {
  const tokens = optStringList(body, 'GrantTokens');
  if (!tokens) return;
  if (tokens.length > MAX_GRANT_TOKENS) {
    throw validationError([{ member: 'grantTokens', constraint: `Member must have length less than or equal to ${MAX_GRANT_TOKENS}` }]);
  }
  tokens.forEach((t, i) => {
    const member = `grantTokens.${i + 1}.member`;
    if (t.length < 1) throw validationError([{ member, constraint: 'Member must have length greater than or equal to 1' }]);
    if (t.length > MAX_GRANT_TOKEN_LENGTH) throw validationError([{ member, constraint: `Member must have length less than or equal to ${MAX_GRANT_TOKEN_LENGTH}` }]);
  });
}

/** AWS names members in lowerCamelCase in its validation messages and in CloudTrail. */
export function lowerFirst(s: string): string {
  return s.length === 0 ? s : s[0].toLowerCase() + s.slice(1);
}
