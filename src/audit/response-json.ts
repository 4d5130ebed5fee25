/**
 * The `response` block of a Vault JSON entry, with its text kept for responses that repeat: the
 * block of a read served from a cached KV version (reusableResponseDataOf) depends only on the
 * frozen data map, the mount's fields, the mount's exempt keys and whether the list was elided.
 * The text is written by the generic builder (writeBlock(responseBlock(...))) the first time and
 * reused while all of those are unchanged; everything else is written afresh.
 */
import { flatten } from '../lib/flat-string.js';
import { responseBlock, reusableResponseDataOf, type EntryHasher, type EntryOptions } from './entry.js';
import { writeBlock } from './format-json.js';
import type { AuditInput } from './model.js';

type Mount = NonNullable<AuditInput['mount']>;

interface Kept {
  mount: Mount | undefined;
  path: string;
  type: string;
  accessor: string;
  table: string;
  exemptKeys: readonly string[] | undefined;
  elided: boolean;
  text: string;
}

export type ResponseJsonWriter = (input: AuditInput, opts: EntryOptions) => string;

export function createResponseJsonWriter(h: EntryHasher): ResponseJsonWriter {
  /** Per frozen data map: the text of the block last written for it, and what it depended on. */
  const kept = new WeakMap<object, Kept>();

  return (input, opts) => {
    const data = reusableResponseDataOf(input);
    if (data === undefined) return writeBlock(responseBlock(input, h, opts), 'response');
    const m = input.mount;
    const exemptKeys = m?.config.auditNonHmacResponseKeys;
    const elided = opts.elideListResponses && input.operation === 'list';
    const k = kept.get(data);
    if (k && k.mount === m && k.exemptKeys === exemptKeys && k.elided === elided
      && (m === undefined || (k.path === m.path && k.type === m.type && k.accessor === m.accessor && k.table === m.table))) {
      return k.text;
    }
    const text = flatten(writeBlock(responseBlock(input, h, opts), 'response'));
    kept.set(data, { mount: m, path: m?.path ?? '', type: m?.type ?? '', accessor: m?.accessor ?? '', table: m?.table ?? '', exemptKeys, elided, text });
    return text;
  };
}
