/**
 * Read contexts: declared read parameters and rules deciding what a load returns. Rules run in
 * priority order (lowest number first; ties keep their listed order) and the first rule whose
 * match holds decides a span's, a field's or a record's fate. Nothing matching means Allow.
 */
import { invalid } from '../../errors/index.js';
import { contextName, isObject, optionalString } from './input.js';
import { contextPattern } from './patterns.js';
import { checkTagName } from './tags.js';

export const EFFECTS = ['Allow', 'Redact', 'Tokenize', 'DenyRecord', 'DenyCapsule'] as const;
export type Effect = (typeof EFFECTS)[number];
export const TAG_OPS = ['eq', 'neq', 'exists', 'in', 'regex'] as const;
export type TagOp = (typeof TAG_OPS)[number];
export type TokenFormat = 'explicit' | 'synthetic';

export interface TagCondition {
  /** Exact name, or a prefix ending in `*` (`tag.sealtrail.io/pii/*`). */
  name: string;
  op: TagOp;
  /** eq/neq/regex: a string; in: a list; exists: none. */
  value?: string | string[];
}

export interface ReadRule {
  match: { tags: TagCondition[]; parameters: Record<string, string> };
  effect: Effect;
  token_format: TokenFormat;
  priority: number;
}

export interface ReadParameter {
  key: string;
  required: boolean;
  description: string;
}

export interface ReadContext {
  name: string;
  description: string;
  parameters: ReadParameter[];
  rules: ReadRule[];
}

export const BUILTIN_READ_CONTEXTS: readonly ReadContext[] = [
  { name: 'default', description: 'allow everything', parameters: [], rules: [] },
];
export const UNDELETABLE_READ_CONTEXTS = new Set(['default']);

const bad = (message: string) => invalid(message, 'capsule_invalid_context');

function parseCondition(where: string, raw: unknown): TagCondition {
  if (!isObject(raw)) throw bad(`${where} must be an object {name, value?, op?}`);
  const name = typeof raw.name === 'string' && raw.name.endsWith('*') && raw.name.length > 1
    ? raw.name
    : checkTagName(where, raw.name);
  const op = (raw.op ?? (raw.value === undefined ? 'exists' : Array.isArray(raw.value) ? 'in' : 'eq')) as TagOp;
  if (!TAG_OPS.includes(op)) throw bad(`${where}.op must be one of ${TAG_OPS.join(', ')}`);
  if (op === 'exists') return { name, op };
  if (op === 'in') {
    if (!Array.isArray(raw.value) || !raw.value.every((v) => typeof v === 'string')) throw bad(`${where}.value must be a list of strings for "in"`);
    return { name, op, value: raw.value as string[] };
  }
  if (typeof raw.value !== 'string') throw bad(`${where}.value must be a string for "${op}"`);
  if (op === 'regex') contextPattern(`${where}.value`, raw.value);
  return { name, op, value: raw.value };
}

function parseRule(where: string, raw: unknown, index: number): ReadRule {
  if (!isObject(raw)) throw bad(`${where} must be an object`);
  const match = raw.match ?? {};
  if (!isObject(match)) throw bad(`${where}.match must be an object`);
  const tagsRaw = match.tags ?? [];
  if (!Array.isArray(tagsRaw)) throw bad(`${where}.match.tags must be a list`);
  const paramsRaw = match.parameters ?? {};
  if (!isObject(paramsRaw) || !Object.values(paramsRaw).every((v) => typeof v === 'string')) {
    throw bad(`${where}.match.parameters must be an object of strings`);
  }
  if (typeof raw.effect !== 'string' || !(EFFECTS as readonly string[]).includes(raw.effect)) {
    throw bad(`${where}.effect must be one of ${EFFECTS.join(', ')}`);
  }
  const tokenFormat = raw.token_format ?? 'explicit';
  if (tokenFormat !== 'explicit' && tokenFormat !== 'synthetic') throw bad(`${where}.token_format must be explicit or synthetic`);
  const priority = raw.priority === undefined ? index : Number(raw.priority);
  if (!Number.isSafeInteger(priority)) throw bad(`${where}.priority must be an integer`);
  return {
    match: { tags: tagsRaw.map((c, i) => parseCondition(`${where}.match.tags[${i}]`, c)), parameters: paramsRaw as Record<string, string> },
    effect: raw.effect as Effect,
    token_format: tokenFormat,
    priority,
  };
}

function parseParameters(raw: unknown): ReadParameter[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw bad('"parameters" must be a list of {key, required, description}');
  const params = raw.map((p, i) => {
    if (!isObject(p) || typeof p.key !== 'string' || p.key === '') throw bad(`parameters[${i}] needs a non-empty "key"`);
    return { key: p.key, required: p.required === true || p.required === 'true', description: typeof p.description === 'string' ? p.description : '' };
  });
  if (new Set(params.map((p) => p.key)).size !== params.length) throw bad('"parameters" keys must be unique');
  return params;
}

/** Accepts `parameters` or `required_parameters`; rules come back sorted by priority. */
export function parseReadContext(name: string, data: Record<string, unknown>): ReadContext {
  const rulesRaw = data.rules ?? [];
  if (!Array.isArray(rulesRaw)) throw bad('"rules" must be a list');
  const rules = rulesRaw.map((r, i) => parseRule(`rules[${i}]`, r, i));
  return {
    name: contextName(name, 'read context'),
    description: optionalString(data, 'description') ?? '',
    parameters: parseParameters(data.parameters ?? data.required_parameters),
    rules: rules.map((r, i) => ({ r, i })).sort((a, b) => a.r.priority - b.r.priority || a.i - b.i).map(({ r }) => r),
  };
}
