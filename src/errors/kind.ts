/** What kind of failure an error is; the HTTP edge maps it to a status (STATUS_BY_KIND). */
export type ErrorKind =
  | 'invalid'        // 400 bad input
  | 'permission'     // 403 permission denied (bad token, ACL)
  | 'not_found'      // 404
  | 'unsupported'    // 405 operation not supported on this path
  | 'conflict'       // 400 in Vault (check-and-set mismatch etc.) — kept separate for callers
  | 'too_large'      // 413 request body over the limit
  | 'rate_limited'   // 429
  | 'uninitialized'  // 501 (health), 400 elsewhere
  | 'sealed'         // 503
  | 'unavailable'    // 503 (e.g. standby, audit not ready)
  | 'internal';      // 500; details go to the server log, the client sees "internal error"
