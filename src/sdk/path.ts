/** Building `/v1/...` URLs: path segments are escaped the way Go's url.URL escapes a path. */
import type { Query } from './types.js';

// Go keeps these unescaped in a path segment; encodeURIComponent would escape them.
const GO_PATH_SAFE: Record<string, string> = {
  '%24': '$', '%26': '&', '%2B': '+', '%2C': ',', '%3A': ':', '%3B': ';', '%3D': '=', '%40': '@',
};

/** Escapes each segment of an API path, keeping `/` separators (and a trailing `/`). */
export function encodeApiPath(path: string): string {
  return path
    .split('/')
    .map((segment) => encodeURIComponent(segment).replace(/%(24|26|2B|2C|3A|3B|3D|40)/g, (m) => GO_PATH_SAFE[m]))
    .join('/');
}

/** Strips leading slashes and a `v1/` prefix, so `"/v1/secret/data/x"` and `"secret/data/x"` agree. */
export function normalizeApiPath(path: string): string {
  return path.replace(/^\/+/, '').replace(/^v1\//, '');
}

/** Joins segments with single slashes: `joinPath("secret/", "/data", "a")` → `secret/data/a`. */
export function joinPath(...parts: string[]): string {
  return parts
    .filter((p) => p !== '')
    .map((p, i) => (i === 0 ? p.replace(/\/+$/, '') : p.replace(/^\/+|\/+$/g, '')))
    .filter((p) => p !== '')
    .join('/');
}

/** Encodes a query in key order of insertion; arrays repeat the key; undefined values are dropped. */
export function encodeQuery(query: Query | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const v of value) params.append(key, v);
    else params.append(key, String(value));
  }
  const s = params.toString();
  return s === '' ? '' : `?${s}`;
}
