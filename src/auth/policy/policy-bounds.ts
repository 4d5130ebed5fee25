/**
 * Bounds on a policy's text, checked before any parser sees it. The HCL parser (Go, run as
 * WebAssembly) recurses once per nested bracket, template, `?:` or unary operator: a 20 KB policy
 * of nested `[` overflows its stack, and a few such overflows leave the Go runtime dead ("fatal
 * error: malloc deadlock"). Its time grows with the text, about 2 s per MiB. The parser runs in a
 * worker thread within a deadline, replaced after any overflow, overrun or crash
 * (lib/hcl-parser.ts); these bounds keep such texts from reaching it at all, and keep a policy's
 * parse well inside the deadline.
 *
 * The scan is one linear pass over the text that knows HCL's comments, quoted strings (with their
 * `${…}`/`%{…}` templates) and heredocs. Its measure never under-counts what the parser nests:
 * a bracket or template opening adds a level until it closes, and every `?`, `!` and unary `-`
 * (which HCL nests without brackets) adds a level until the expression they are in ends: at a
 * comma, at a line's end within braces (where HCL ends an attribute or an object's item), or at
 * its bracket's closer. Policies need none of those operators (Vault's HCL has no expressions)
 * and a few levels of brackets.
 *
 * nestingOf('path "a" { capabilities = ["read"] }') → 2
 */

/** The largest policy text accepted, in UTF-8 bytes. */
export const MAX_POLICY_BYTES = 1024 * 1024;
/** The deepest nesting accepted (the measure above), as for audit filter expressions. */
export const MAX_POLICY_NESTING = 32;

/** Each opener and the closer that ends it (a template's `${` and `%{` end with `}`). */
const CLOSER: Readonly<Record<string, string>> = { '[': ']', '{': '}', '(': ')' };
const IDENT = /[A-Za-z0-9_]/;
const HEREDOC = /<<-?([A-Za-z_][A-Za-z0-9_-]*)\r?\n/y;

/**
 * An expression, ended by its closer (none: the whole text), with the operators counted in its
 * current item; a quoted string; a heredoc.
 */
type Frame = { closer: string; ops: number; linesEndItems: boolean } | 'string' | { heredoc: string };

/** The nesting measure of HCL (or, with `json`, JSON) text; stops early once over `limit`. */
export function nestingOf(text: string, json = false, limit = MAX_POLICY_NESTING): number {
  const stack: Frame[] = [{ closer: '', ops: 0, linesEndItems: true }];
  /** The operators counted in every expression frame on the stack. */
  let operators = 0;
  const pop = () => {
    const frame = stack.pop();
    if (typeof frame === 'object' && 'ops' in frame) operators -= frame.ops;
  };
  let max = 0;
  const measure = () => {
    const depth = stack.length - 1 + operators;
    if (depth > max) max = depth;
    return depth > limit;
  };
  let i = 0;
  let lineStart = true;
  while (i < text.length) {
    const frame = stack[stack.length - 1];
    const c = text[i];
    const next = text[i + 1];
    if (frame === 'string') {
      if (c === '\\') { i += 2; continue; }
      // A quoted string ends at its quote, and (where HCL stops reading it) at a line's end.
      if (c === '"' || c === '\n') { pop(); i++; continue; }
      if (!json && (c === '$' || c === '%') && next === c && text[i + 2] === '{') { i += 3; continue; }
      if (!json && (c === '$' || c === '%') && next === '{') { stack.push({ closer: '}', ops: 0, linesEndItems: false }); i += 2; if (measure()) return max; continue; }
      i++;
      continue;
    }
    if ('heredoc' in frame) {
      if (lineStart) {
        const end = text.indexOf('\n', i);
        const line = text.slice(i, end === -1 ? text.length : end).trim();
        lineStart = false;
        if (line === frame.heredoc) { pop(); i = end === -1 ? text.length : end; continue; }
      }
      if (c === '\n') lineStart = true;
      else if ((c === '$' || c === '%') && next === c && text[i + 2] === '{') { i += 3; continue; }
      else if ((c === '$' || c === '%') && next === '{') { stack.push({ closer: '}', ops: 0, linesEndItems: false }); i += 2; if (measure()) return max; continue; }
      i++;
      continue;
    }
    // An expression: HCL's body and attribute values, or a template's `${…}`.
    if (c === '"') { stack.push('string'); i++; if (measure()) return max; continue; }
    if (!json && (c === '#' || (c === '/' && next === '/'))) { const end = text.indexOf('\n', i); i = end === -1 ? text.length : end; continue; }
    if (!json && c === '/' && next === '*') { const end = text.indexOf('*/', i + 2); i = end === -1 ? text.length : end + 2; continue; }
    if (!json && c === '<' && next === '<') {
      HEREDOC.lastIndex = i;
      const m = HEREDOC.exec(text);
      if (m) { stack.push({ heredoc: m[1] }); i += m[0].length; lineStart = true; if (measure()) return max; continue; }
    }
    const closer = CLOSER[c];
    if (closer !== undefined) { stack.push({ closer, ops: 0, linesEndItems: c === '{' }); i++; if (measure()) return max; continue; }
    // Only the closer that matches ends a level, so stray closers cannot hide an opened one.
    if (c === frame.closer) { pop(); i++; continue; }
    // The end of an item: the operators in it are done nesting.
    if (c === ',' || (c === '\n' && frame.linesEndItems)) { operators -= frame.ops; frame.ops = 0; i++; continue; }
    if (!json && (c === '?' || c === '!' || (c === '-' && !IDENT.test(text[i - 1] ?? '')))) {
      frame.ops++;
      operators++;
      i++;
      if (measure()) return max;
      continue;
    }
    i++;
  }
  return max;
}
