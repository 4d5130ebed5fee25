/**
 * A JSON text on one line, for JSON Lines output. Raw CR and LF can stand in valid JSON only as
 * whitespace between tokens (inside a string they must be escaped), so each becomes a space: the
 * same JSON value, one line. A record imported from a pretty-printed file (a CloudTrail log) keeps
 * its line breaks in the journal; its export line must not split.
 */
export function oneLineJson(text: string): string {
  return text.includes('\n') || text.includes('\r') ? text.replace(/[\r\n]/g, ' ') : text;
}
