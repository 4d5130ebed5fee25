/**
 * A boolean as Go's strconv.ParseBool reads text, which is how Vault reads `?list=`,
 * `?standbyok=` and string fields of a request body: "1", "t", "T", "true", "TRUE", "True" are
 * true; "0", "f", "F", "false", "FALSE", "False" false; anything else undefined. Clients send
 * several of these (hvac, from Python, sends `True`).
 */
const TRUE: ReadonlySet<string> = new Set(['1', 't', 'T', 'true', 'TRUE', 'True']);
const FALSE: ReadonlySet<string> = new Set(['0', 'f', 'F', 'false', 'FALSE', 'False']);

export function parseGoBool(text: unknown): boolean | undefined {
  if (typeof text !== 'string') return undefined;
  return TRUE.has(text) ? true : FALSE.has(text) ? false : undefined;
}
