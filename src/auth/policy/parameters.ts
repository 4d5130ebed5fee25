/**
 * A policy rule's parameter and response-wrapping constraints, enforced as Vault enforces them
 * (`allowed_parameters`, `denied_parameters`, `required_parameters`, `min_wrapping_ttl`,
 * `max_wrapping_ttl`). A rule that grants a capability but whose constraints the request does not
 * meet refuses it, like a missing capability.
 *
 * - Parameter names are compared lower-cased. A parameter listed with an empty list allows (or
 *   denies) every value; with values, only those — a string value may glob with a leading and/or
 *   trailing `*`. `"*"` as a name stands for every parameter.
 * - A list value (an array, or a comma-separated string) is also judged element by element, as
 *   Vault 1.21 does: any denied element refuses it, and it is allowed when every element is.
 * - A path that declares which parameters its handler splits on commas (`listParameters`) has
 *   each value allowed only as its handler uses it: a declared list when every element is
 *   allowed, any other value as a whole. Allowed whole, `vault-*` would admit
 *   `vault-response,cloudtrail`, and the handler would read both kinds. Denied lists refuse a
 *   value whole or by element everywhere: refusing more lets nothing in.
 * - Parameters are checked for create, update, patch and read (Vault's set); a request without
 *   parameters passes the allowed/denied checks, but still needs its required parameters.
 * - A wrapping bound on the rule needs a wrapped response (`X-Vault-Wrap-TTL`) within it: a
 *   request that asks for no wrapping, or for a TTL outside the bounds, is refused.
 * - Rules for the same path from several policies merge: allowed and denied value lists are joined
 *   (an empty list wins), required names are unioned, and of the wrapping TTL bounds the lowest
 *   minimum and the lowest maximum are kept (Vault's choice: the shortest lifetime).
 */
import type { Operation } from '../../core/index.js';
import type { PathRule } from './parse.js';
import { commaParts } from '../../lib/comma-list.js';

export interface ParameterConstraints {
  allowed?: Map<string, unknown[]>;
  denied?: Map<string, unknown[]>;
  required?: string[];
  minWrappingTtl?: number;
  maxWrappingTtl?: number;
}

/** What of a request the constraints look at. */
export interface ConstrainedRequest {
  data: Readonly<Record<string, unknown>>;
  /** Requested response-wrapping TTL in seconds; 0 for none. */
  wrapTtl: number;
  /** The parameters the path's handler splits on commas, when the path says (lower-case names). */
  listParameters?: readonly string[];
}

const CHECKED_OPERATIONS: ReadonlySet<Operation> = new Set(['create', 'update', 'patch', 'read']);

const lowerKeys = (m: Record<string, unknown[]>) => new Map(Object.entries(m).map(([k, v]) => [k.toLowerCase(), v]));

/** The constraints a parsed rule declares, or undefined when it declares none. */
export function constraintsOf(rule: PathRule): ParameterConstraints | undefined {
  const c: ParameterConstraints = {};
  if (rule.allowedParameters) c.allowed = lowerKeys(rule.allowedParameters);
  if (rule.deniedParameters) c.denied = lowerKeys(rule.deniedParameters);
  if (rule.requiredParameters?.length) c.required = [...new Set(rule.requiredParameters.map((p) => p.toLowerCase()))];
  if (rule.minWrappingTtl) c.minWrappingTtl = rule.minWrappingTtl;
  if (rule.maxWrappingTtl) c.maxWrappingTtl = rule.maxWrappingTtl;
  return Object.keys(c).length > 0 ? c : undefined;
}

function mergeValues(a: Map<string, unknown[]> | undefined, b: Map<string, unknown[]> | undefined): Map<string, unknown[]> | undefined {
  if (!a || !b) return a ?? b;
  const out = new Map(a);
  for (const [key, values] of b) {
    const existing = out.get(key);
    out.set(key, existing === undefined ? values : existing.length === 0 || values.length === 0 ? [] : [...values, ...existing]);
  }
  return out;
}

/** Constraints of two rules for the same path. */
export function mergeConstraints(a: ParameterConstraints | undefined, b: ParameterConstraints | undefined): ParameterConstraints | undefined {
  if (!a || !b) return a ?? b;
  const out: ParameterConstraints = {};
  const allowed = mergeValues(a.allowed, b.allowed);
  const denied = mergeValues(a.denied, b.denied);
  if (allowed) out.allowed = allowed;
  if (denied) out.denied = denied;
  if (a.required || b.required) out.required = [...new Set([...(a.required ?? []), ...(b.required ?? [])])];
  const mins = [a.minWrappingTtl, b.minWrappingTtl].filter((v): v is number => v !== undefined);
  const maxes = [a.maxWrappingTtl, b.maxWrappingTtl].filter((v): v is number => v !== undefined);
  if (mins.length > 0) out.minWrappingTtl = Math.min(...mins);
  if (maxes.length > 0) out.maxWrappingTtl = Math.min(...maxes);
  return out;
}

/** Vault's GlobbedStringsMatch: `*x`, `x*` and `*x*` patterns, else equality. */
function globMatch(pattern: string, value: string): boolean {
  const star = '*';
  // As Vault (GlobbedStringsMatch): a pattern of one character is that character, so ["*"] allows
  // only the value "*", not every value.
  if (pattern.length < 2) return pattern === value;
  if (pattern.length > 1 && pattern.startsWith(star) && pattern.endsWith(star)) return value.includes(pattern.slice(1, -1));
  if (pattern.startsWith(star)) return value.endsWith(pattern.slice(1));
  if (pattern.endsWith(star)) return value.startsWith(pattern.slice(0, -1));
  return pattern === value;
}

function sameValue(a: unknown, b: unknown): boolean {
  if (typeof a === 'string' && typeof b === 'string') return globMatch(a, b);
  return JSON.stringify(a) === JSON.stringify(b);
}

const inList = (value: unknown, list: readonly unknown[]) => list.some((el) => sameValue(el, value));

/**
 * A string of more than MAX_LIST_ITEMS parts is not split to be judged by element (lib/comma-list.ts):
 * it is allowed only as a whole and denied as if an element were denied.
 */
const TOO_MANY = Symbol('too many elements');

/**
 * The elements a value is also judged by (Vault 1.21+): an array's, or a string's comma-separated
 * parts, trimmed (what a comma-string-slice field such as `policies` reads). Judged whole only, a
 * denied name inside `["dev", "admin"]` or `"dev,admin"` would pass.
 */
function elementsOf(value: unknown): readonly unknown[] | undefined | typeof TOO_MANY {
  if (Array.isArray(value)) return value;
  if (typeof value !== 'string') return undefined;
  if (value === '') return [];
  return commaParts(value)?.map((part) => part.trim()) ?? TOO_MANY;
}

/**
 * How a value is allowed: `either` as a whole or by its elements (Vault's rule, on a path that
 * does not say how it reads its parameters); otherwise as the handler uses it.
 */
type Judged = 'either' | 'whole' | 'elements';

function judgedAs(name: string, listParameters: readonly string[] | undefined): Judged {
  if (listParameters === undefined) return 'either';
  return listParameters.includes(name.toLowerCase()) ? 'elements' : 'whole';
}

/**
 * A declared list's elements as its handler splits them (untrimmed: ` cloudtrail` is not
 * `cloudtrail` to a handler that does not trim); a value that is not a string or an array is a
 * list of one.
 */
function listElementsOf(value: unknown): readonly unknown[] | typeof TOO_MANY {
  if (Array.isArray(value)) return value;
  if (typeof value !== 'string') return [value];
  return commaParts(value) ?? TOO_MANY;
}

/** Allowed, judged as `judged` says. An empty list stands for every value. */
const valueAllowed = (value: unknown, list: readonly unknown[], judged: Judged) => {
  if (list.length === 0) return true;
  if (judged === 'elements') {
    const elements = listElementsOf(value);
    return elements !== TOO_MANY && elements.every((el) => inList(el, list));
  }
  if (inList(value, list)) return true;
  if (judged === 'whole') return false;
  const elements = elementsOf(value);
  return elements !== undefined && elements !== TOO_MANY && elements.every((el) => inList(el, list));
};

/** Denied: the value as a whole, or any one of its elements. An empty list stands for every value. */
const valueDenied = (value: unknown, list: readonly unknown[]) => {
  if (list.length === 0 || inList(value, list)) return true;
  const elements = elementsOf(value);
  return elements === TOO_MANY || (elements !== undefined && elements.some((el) => inList(el, list)));
};

/** Whether a request meets the constraints of the rule that granted its capability. */
export function constraintsAllow(c: ParameterConstraints | undefined, operation: Operation, req: ConstrainedRequest): boolean {
  if (!c) return true;
  if (c.minWrappingTtl !== undefined && (req.wrapTtl === 0 || req.wrapTtl < c.minWrappingTtl)) return false;
  if (c.maxWrappingTtl !== undefined && (req.wrapTtl === 0 || req.wrapTtl > c.maxWrappingTtl)) return false;
  if (!CHECKED_OPERATIONS.has(operation)) return true;
  const names = Object.keys(req.data);
  // As Vault: the request must carry the lower-cased name itself (`req.Data[strings.ToLower(p)]`).
  // `TTL` is not `ttl`: the handler reads `ttl`, so a differently cased key would meet the rule
  // and then be ignored.
  if (c.required?.some((p) => !Object.hasOwn(req.data, p))) return false;
  if (names.length === 0) return true;
  if (c.denied) {
    if (c.denied.has('*')) return false;
    for (const name of names) {
      const list = c.denied.get(name.toLowerCase());
      if (list && valueDenied(req.data[name], list)) return false;
    }
  }
  if (!c.allowed || c.allowed.size === 0) return true;
  const allowAll = c.allowed.has('*');
  if (allowAll && c.allowed.size === 1) return true;
  for (const name of names) {
    const list = c.allowed.get(name.toLowerCase());
    if (list === undefined ? !allowAll : !valueAllowed(req.data[name], list, judgedAs(name, req.listParameters))) return false;
  }
  return true;
}
