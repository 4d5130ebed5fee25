/**
 * The request path below /v1/, as fastify decoded it. A path the router could misread is refused
 * here with 400 before any lookup: empty segments (`//x`, `%2Fx`), `.` and `..` segments and
 * control characters. Vault's Go mux answers such paths with a redirect to the cleaned path;
 * refusing them keeps one spelling per resource, so ACL globs and storage keys cannot be dodged.
 * A trailing slash (a LIST of a folder) and the empty path stay valid.
 */
import { invalid } from '../errors/index.js';

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

export function checkRequestPath(path: string): string {
  if (path === '') return path;
  if (CONTROL.test(path)) throw invalid('invalid request path: control characters are not allowed', 'invalid_path');
  const segments = path.split('/');
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i];
    if (seg === '' && i < segments.length - 1) throw invalid('invalid request path: empty path segment', 'invalid_path');
    if (seg === '.' || seg === '..') throw invalid('invalid request path: "." and ".." segments are not allowed', 'invalid_path');
  }
  return path;
}
