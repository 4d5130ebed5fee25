/**
 * Applies a read context to an opened capsule. Rules are decided for three kinds of unit, each
 * seeing its own tags plus those of everything enclosing it:
 *   record (record + capsule tags) — only DenyRecord / DenyCapsule act at this level;
 *   field  (field tags, when it has any) — Redact / Tokenize replace the whole value;
 *   span   (span tags) — Redact / Tokenize replace that range of the text.
 * DenyRecord at any level drops the record; DenyCapsule at any level refuses the whole load.
 * Redacted text becomes the marker `{redacted}`.
 */
import type { CapsuleBody } from './body.js';
import { stringifyJson } from '../../lib/json-text.js';
import type { ReadContext, ReadRule } from './read-context.js';
import { decide } from './read-rules.js';
import type { Scalar } from './records.js';
import type { Tag } from './tags.js';
import { tokenFor } from './tokenize.js';

export const REDACTED = '{redacted}';

export interface ReadOutcome {
  denied: boolean;
  records: Array<Array<{ key: string; value: Scalar }>>;
  filteredRecords: number;
  allowed: Tag[];
  redacted: Tag[];
  tokenized: Tag[];
}

interface Buckets {
  allowed: Tag[];
  redacted: Tag[];
  tokenized: Tag[];
}

class Deny {
  constructor(readonly scope: 'record' | 'capsule') {}
}

export function applyReadContext(
  body: CapsuleBody,
  context: ReadContext,
  parameters: Readonly<Record<string, string>>,
  tokenKey: Uint8Array,
): ReadOutcome {
  const outcome: ReadOutcome = { denied: false, records: [], filteredRecords: 0, allowed: [], redacted: [], tokenized: [] };
  const rules = context.rules;
  const decideOrDeny = (tags: Tag[]): ReadRule | undefined => {
    const rule = decide(rules, tags, parameters);
    if (rule?.effect === 'DenyCapsule') throw new Deny('capsule');
    if (rule?.effect === 'DenyRecord') throw new Deny('record');
    return rule;
  };
  const transform = (rule: ReadRule, value: string) => (rule.effect === 'Redact' ? REDACTED : tokenFor(rule.token_format, tokenKey, value));
  const bucketOf = (b: Buckets, rule: ReadRule | undefined) =>
    rule?.effect === 'Redact' ? b.redacted : rule?.effect === 'Tokenize' ? b.tokenized : b.allowed;

  try {
    for (const record of body.records) {
      const recordTags = [...record.tags, ...body.capsuleTags];
      const b: Buckets = { allowed: [...record.tags], redacted: [], tokenized: [] };
      try {
        decideOrDeny(recordTags);
        const fields = record.fields.map((field) => {
          // Nothing to decide for an untagged field without spans (most cells of a table).
          if (field.tags.length === 0 && field.spans.length === 0) return { key: field.key, value: field.value };
          const fieldScope = [...field.tags, ...recordTags];
          const fieldRule = field.tags.length > 0 ? decideOrDeny(fieldScope) : undefined;
          const spanRules = field.spans.map((span) => decideOrDeny([...span.tags, ...fieldScope]));
          const transformsField = fieldRule && (fieldRule.effect === 'Redact' || fieldRule.effect === 'Tokenize');
          bucketOf(b, fieldRule).push(...field.tags);
          if (transformsField) {
            // The whole value is replaced, so its spans share the field's fate.
            for (const span of field.spans) bucketOf(b, fieldRule).push(...span.tags);
            const text = typeof field.value === 'string' ? field.value : stringifyJson(field.value);
            return { key: field.key, value: transform(fieldRule, text) as Scalar };
          }
          if (typeof field.value !== 'string' || field.spans.length === 0) return { key: field.key, value: field.value };
          let out = '';
          let at = 0;
          field.spans.forEach((span, i) => {
            const rule = spanRules[i];
            bucketOf(b, rule).push(...span.tags);
            if (!rule || rule.effect === 'Allow') return;
            const text = field.value as string;
            out += text.slice(at, span.start) + transform(rule, text.slice(span.start, span.end));
            at = span.end;
          });
          return { key: field.key, value: out + field.value.slice(at) };
        });
        outcome.records.push(fields);
        outcome.allowed.push(...b.allowed);
        outcome.redacted.push(...b.redacted);
        outcome.tokenized.push(...b.tokenized);
      } catch (err) {
        if (err instanceof Deny && err.scope === 'record') outcome.filteredRecords++;
        else throw err;
      }
    }
  } catch (err) {
    if (err instanceof Deny) return { denied: true, records: [], filteredRecords: 0, allowed: [], redacted: [], tokenized: [] };
    throw err;
  }
  outcome.allowed.push(...body.capsuleTags);
  return outcome;
}
