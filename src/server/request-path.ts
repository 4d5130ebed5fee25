/**
 * The request path below /v1/, as fastify decoded it. A path the router could misread is refused
 * here with 400 before any lookup: empty segments (`//x`, `%2Fx`), `.` and `..` segments and
 * non-printable characters. Vault's Go mux answers such paths with a redirect to the cleaned path;
 * refusing them keeps one spelling per resource, so ACL globs and storage keys cannot be dodged.
 * A trailing slash (a LIST of a folder) and the empty path stay valid.
 */
import { invalid } from '../errors/index.js';

/**
 * Anything but a letter, mark, number, punctuation, symbol or the ASCII space: what Go's
 * unicode.IsPrint refuses, and so Vault (go-cleanhttp's printable-path check). Besides control
 * characters this refuses format characters such as U+202E (right-to-left override) and U+200B,
 * line and paragraph separators, U+0085, other spaces, private-use and unassigned code points: each
 * would let a caller write text into the audit log that displays differently from what it is, or
 * make keys that list as the same name.
 */
const NON_PRINTABLE = /[^\p{L}\p{M}\p{N}\p{P}\p{S} ]/u;

export function checkRequestPath(path: string): string {
  if (path === '') return path;
  if (NON_PRINTABLE.test(path)) throw invalid('invalid request path: non-printable characters are not allowed', 'invalid_path');
  const segments = path.split('/');
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i];
    if (seg === '' && i < segments.length - 1) throw invalid('invalid request path: empty path segment', 'invalid_path');
    if (seg === '.' || seg === '..') throw invalid('invalid request path: "." and ".." segments are not allowed', 'invalid_path');
  }
  return path;
}
