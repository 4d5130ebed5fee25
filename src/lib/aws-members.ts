/**
 * The request members an AWS JSON operation declares, and the two views derived from them:
 *
 *   operationInput(body, members)       what the handler and the audit entry get: declared members
 *                                       only, values as sent (the handler checks their types)
 *   recordedParameters(body, members, defaults?)
 *                                       CloudTrail's requestParameters: members not declared
 *                                       `unrecorded`, in lowerCamelCase, each only if it has its
 *                                       declared type; a member left out shows the service's
 *                                       default for it when one is given
 *
 *   memberTypeProblem(body, members)    the first declared member present without its declared
 *                                       JSON type, for AWS's SerializationException before any
 *                                       operation acts
 *
 * An undeclared member is never read, audited or recorded, so a caller cannot make a value it
 * chose (a plaintext, a MAC message) reach the trail by naming it.
 */

export type MemberType = 'string' | 'number' | 'boolean' | 'strings' | 'map';
export type Shape = MemberType | { readonly struct: Members } | { readonly list: Members };
/** A member the operation reads but CloudTrail never shows (plaintexts, ciphertexts, documents). */
export type MemberShape = Shape | { readonly unrecorded: Shape };
export type Members = Readonly<Record<string, MemberShape>>;

export const unrecorded = (shape: Shape): MemberShape => ({ unrecorded: shape });

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const lowerFirst = (s: string) => (s === '' ? s : s[0].toLowerCase() + s.slice(1));
/** A member's shape, whether CloudTrail records it or not. */
export const shapeOf = (m: MemberShape): Shape => (typeof m === 'object' && 'unrecorded' in m ? m.unrecorded : m);

function inputValue(value: unknown, shape: Shape): unknown {
  if (typeof shape === 'string') return value;
  if ('struct' in shape) return isObject(value) ? operationInput(value, shape.struct) : value;
  return Array.isArray(value) ? value.map((v) => (isObject(v) ? operationInput(v, shape.list) : v)) : value;
}

/** The declared members of a request body (a fresh object; the body is not modified). */
export function operationInput(body: Readonly<Record<string, unknown>>, members: Members): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, member] of Object.entries(members)) {
    // A member sent as null is absent, as AWS's deserializers read it (and memberTypeProblem does).
    if (Object.hasOwn(body, name) && body[name] !== undefined && body[name] !== null) out[name] = inputValue(body[name], shapeOf(member));
  }
  return out;
}

function recordedValue(value: unknown, shape: Shape): unknown {
  switch (shape) {
    case 'string': return typeof value === 'string' ? value : undefined;
    case 'number': return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
    case 'boolean': return typeof value === 'boolean' ? value : undefined;
    case 'strings': return Array.isArray(value) && value.every((v) => typeof v === 'string') ? [...value] : undefined;
    // User maps (encryption contexts) keep their keys; fromEntries makes even `__proto__` a plain key.
    case 'map': return isObject(value) && Object.values(value).every((v) => typeof v === 'string') ? Object.fromEntries(Object.entries(value)) : undefined;
  }
  if ('struct' in shape) return isObject(value) ? recordedParameters(value, shape.struct) ?? undefined : undefined;
  if (!Array.isArray(value) || !value.every(isObject)) return undefined;
  return value.map((v) => recordedParameters(v, shape.list) ?? {});
}

/** CloudTrail's requestParameters, or null when no recorded member is present. */
export function recordedParameters(
  body: Readonly<Record<string, unknown>> | undefined, members: Members, defaults?: Readonly<Record<string, unknown>>,
): Record<string, unknown> | null {
  if (!body) return null;
  const out: Record<string, unknown> = {};
  for (const [name, member] of Object.entries(members)) {
    if (typeof member === 'object' && 'unrecorded' in member) continue;
    // A member the caller sent keeps its value; one left out shows the default the service applied.
    const sent = Object.hasOwn(body, name) && body[name] !== null && body[name] !== undefined;
    const from = sent ? body : defaults !== undefined && Object.hasOwn(defaults, name) ? defaults : undefined;
    if (from === undefined) continue;
    const value = recordedValue(from[name], member);
    if (value !== undefined) out[lowerFirst(name)] = value;
  }
  return Object.keys(out).length === 0 ? null : out;
}

const isStruct = (v: unknown): v is object => typeof v === 'object' && v !== null && !Array.isArray(v);

function typeProblem(value: unknown, shape: Shape): string | undefined {
  switch (shape) {
    case 'string': return typeof value === 'string' ? undefined : 'a string';
    case 'number': return typeof value === 'number' ? undefined : 'a number';
    case 'boolean': return typeof value === 'boolean' ? undefined : 'a boolean';
    case 'strings': return Array.isArray(value) && value.every((x) => typeof x === 'string') ? undefined : 'a list of strings';
    case 'map': return isStruct(value) && Object.values(value).every((x) => typeof x === 'string') ? undefined : 'a map of strings';
  }
  if ('struct' in shape) return isStruct(value) ? undefined : 'a structure';
  return Array.isArray(value) && value.every(isStruct) ? undefined : 'a list of structures';
}

/**
 * Every declared member the body holds must have its declared JSON type, members of structures
 * and lists included; null is absent. A handler that never reads a member (DryRun `"true"`,
 * GrantTokens), or reads a mistyped one as absent (a `trailNameList` of `"x"`), would otherwise act
 * as if it had not been sent. Returns what the first offending member should have been
 * (`Tags.1.TagValue: expected a string`), or undefined.
 */
export function memberTypeProblem(body: Readonly<Record<string, unknown>>, members: Members, path = ''): string | undefined {
  for (const [name, member] of Object.entries(members)) {
    const value = Object.hasOwn(body, name) ? body[name] : undefined;
    if (value === undefined || value === null) continue;
    const inner = shapeOf(member);
    const expected = typeProblem(value, inner);
    if (expected) return `${path}${name}: expected ${expected}`;
    if (typeof inner !== 'object') continue;
    const problem = 'struct' in inner
      ? memberTypeProblem(value as Record<string, unknown>, inner.struct, `${path}${name}.`)
      : (value as Array<Record<string, unknown>>).reduce<string | undefined>((found, item, i) => found ?? memberTypeProblem(item, inner.list, `${path}${name}.${i + 1}.`), undefined);
    if (problem) return problem;
  }
  return undefined;
}
