/**
 * Text from outside the CLI (records, a server's answers, file names, flag values) made safe to
 * show on a terminal. Records can come from imported logs, which attackers influence: an escape
 * sequence in a path could clear the screen, set the window title or recolour what follows, a CR
 * or LF forge a table row, a bidirectional override reorder the rest of the line. Those code
 * points are shown as escapes instead — `\x1b` up to U+00FF, `\u202e` above: every C0 and C1
 * control, DEL, the line and paragraph separators, and the bidirectional marks, embeddings,
 * overrides and isolates. A backslash is left as it is: tables are for reading, and
 * `-format=json` shows every value exactly.
 */

// eslint-disable-next-line no-control-regex -- control characters are what it finds
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
/** The same outside C0: JSON.stringify escapes C0 itself, and its layout's line breaks are wanted. */
const UNSAFE_IN_JSON = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const hex = (c: string, digits: number) => c.charCodeAt(0).toString(16).padStart(digits, '0');

/** One line of text with every terminal-unsafe code point escaped (line breaks included). */
export function printable(text: string): string {
  return text.replace(UNSAFE, (c) => (c.charCodeAt(0) <= 0xff ? `\\x${hex(c, 2)}` : `\\u${hex(c, 4)}`));
}

/** `printable` over text laid out in lines and columns: its line breaks and tabs are kept. */
export function printableText(text: string): string {
  return text.split('\n').map((line) => line.split('\t').map(printable).join('\t')).join('\n');
}

/** `printable` line by line: a message of several lines keeps its line breaks. */
export function printableLines(text: string): string {
  return text.split('\n').map(printable).join('\n');
}

/**
 * JSON text with those code points written as `\uXXXX`: the same JSON value (outside strings JSON
 * text holds none of them), and nothing a terminal acts on.
 */
export function terminalSafeJson(json: string): string {
  return json.replace(UNSAFE_IN_JSON, (c) => `\\u${hex(c, 4)}`);
}
