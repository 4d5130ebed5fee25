import { useMemo, type ReactNode } from 'react';
import { isHmac } from '../lib/records';
import { visibleJson, visibleText } from '../lib/visible-text';

/** Nesting shown at most; deeper values are printed as JSON text. */
const MAX_DEPTH = 32;

function scalar(value: unknown): ReactNode {
  if (isHmac(value)) return <span className="json-hmac" title="HMAC-SHA256 of the value (the value itself is not recorded)">{visibleJson(value)}</span>;
  if (typeof value === 'string') return <span className="json-string">{visibleJson(value)}</span>;
  if (value === null) return <span className="json-null">null</span>;
  return <span className="json-scalar">{String(value)}</span>;
}

function render(value: unknown, indent: string, depth: number): ReactNode {
  if (value === null || typeof value !== 'object') return scalar(value);
  if (depth > MAX_DEPTH) return <span>{visibleJson(value)}</span>;
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    return <>{'[\n'}{value.map((v, i) => <span key={i}>{inner}{render(v, inner, depth + 1)}{i < value.length - 1 ? ',' : ''}{'\n'}</span>)}{indent}{']'}</>;
  }
  const entries = Object.entries(value);
  if (entries.length === 0) return '{}';
  return (
    <>
      {'{\n'}
      {entries.map(([k, v], i) => (
        <span key={k}>{inner}<span className="json-key">{visibleJson(k)}</span>: {render(v, inner, depth + 1)}{i < entries.length - 1 ? ',' : ''}{'\n'}</span>
      ))}
      {indent}{'}'}
    </>
  );
}

/** Record text above this many characters is shown as plain text: one element, not one per value. */
export const PLAIN_OVER = 256 * 1024;

/** Pretty-printed JSON as one string, each line's invisible characters escaped. */
function plainText(value: unknown): string {
  return (JSON.stringify(value, null, 2) ?? 'undefined').split('\n').map(visibleText).join('\n');
}

/**
 * A record's JSON, pretty-printed as text nodes (never HTML), invisible characters escaped
 * (lib/visible-text.ts); HMAC'd values styled as such. `plain`: one text node, unstyled (a record
 * of tens of thousands of values would otherwise hold the page for seconds).
 */
export function JsonView({ value, plain = false }: { value: unknown; plain?: boolean }) {
  const shown = useMemo(() => (plain ? plainText(value) : render(value, '', 0)), [value, plain]);
  return <pre className="json" data-plain={plain || undefined}>{shown}</pre>;
}
