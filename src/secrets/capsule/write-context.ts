/**
 * Write contexts: which classifiers run when data is encapsulated. `default` runs none and
 * `sensitive` runs every detector; both are created with the domain and `default` cannot be
 * deleted (it is what callers fall back to).
 */
import { invalid } from '../../errors/index.js';
import { DETECTOR_NAMES, type DetectorName } from './classify/detectors.js';
import { contextName, isObject, optionalString } from './input.js';
import { contextPattern } from './patterns.js';
import { checkTagName, parseTagType, type TagType } from './tags.js';

/** A tag a rule attaches; `value` may use `$0`..`$9` (regex groups) and `$value` (the field value). */
export interface TagTemplate {
  name: string;
  type: TagType;
  value: string;
}

export interface RegexRule {
  pattern: string;
  /** true: the pattern is tested against the field name and the whole field is tagged. */
  match_on_key: boolean;
  span_tags: TagTemplate[];
  capsule_tags: TagTemplate[];
}

export interface WriteContext {
  name: string;
  description: string;
  detectors: DetectorName[];
  rules: RegexRule[];
}

export const BUILTIN_WRITE_CONTEXTS: readonly WriteContext[] = [
  { name: 'default', description: 'no classification', detectors: [], rules: [] },
  { name: 'sensitive', description: 'every built-in detector', detectors: [...DETECTOR_NAMES], rules: [] },
];

export const UNDELETABLE_WRITE_CONTEXTS = new Set(['default']);

const MAX_PATTERN = 1024;

function parseTemplates(where: string, raw: unknown): TagTemplate[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw invalid(`${where} must be a list`, 'capsule_invalid_context');
  return raw.map((t, i) => {
    const w = `${where}[${i}]`;
    if (!isObject(t)) throw invalid(`${w} must be an object {name, type?, value?}`, 'capsule_invalid_context');
    const value = t.value === undefined || t.value === null ? '' : String(t.value);
    return { name: checkTagName(w, t.name), type: parseTagType(w, t.type, value === '' ? 'unary' : 'string'), value };
  });
}

function parseRule(where: string, raw: unknown): RegexRule {
  if (!isObject(raw)) throw invalid(`${where} must be an object`, 'capsule_invalid_context');
  const pattern = raw.pattern;
  if (typeof pattern !== 'string' || pattern === '' || pattern.length > MAX_PATTERN) {
    throw invalid(`${where}.pattern must be a regular expression of 1 to ${MAX_PATTERN} characters`, 'capsule_invalid_context');
  }
  contextPattern(`${where}.pattern`, pattern, 'g');
  const rule: RegexRule = {
    pattern,
    match_on_key: raw.match_on_key === true || raw.match_on_key === 'true',
    span_tags: parseTemplates(`${where}.span_tags`, raw.span_tags),
    capsule_tags: parseTemplates(`${where}.capsule_tags`, raw.capsule_tags),
  };
  if (rule.span_tags.length === 0 && rule.capsule_tags.length === 0) {
    throw invalid(`${where} attaches no tag: give span_tags or capsule_tags`, 'capsule_invalid_context');
  }
  return rule;
}

export function parseWriteContext(name: string, data: Record<string, unknown>): WriteContext {
  const detectorsRaw = data.detectors ?? [];
  if (!Array.isArray(detectorsRaw)) throw invalid('"detectors" must be a list of detector names', 'capsule_invalid_context');
  const detectors = detectorsRaw.map((d) => {
    if (typeof d !== 'string' || !(DETECTOR_NAMES as readonly string[]).includes(d)) {
      throw invalid(`unknown detector; expected one of ${DETECTOR_NAMES.join(', ')}`, 'capsule_invalid_context');
    }
    return d as DetectorName;
  });
  const rulesRaw = data.rules ?? [];
  if (!Array.isArray(rulesRaw)) throw invalid('"rules" must be a list', 'capsule_invalid_context');
  return {
    name: contextName(name, 'write context'),
    description: optionalString(data, 'description') ?? '',
    detectors: [...new Set(detectors)],
    rules: rulesRaw.map((r, i) => parseRule(`rules[${i}]`, r)),
  };
}
