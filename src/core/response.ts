/** What a LogicalResponse says, independent of how it is rendered. */
import type { LogicalResponse } from './contract/types.js';

/** Whether a response carries anything (Vault answers one that does not with a bare 204). */
export function responseHasContent(r: LogicalResponse): boolean {
  return r.data !== undefined || r.issuedAuth !== undefined || (r.warnings?.length ?? 0) > 0 || r.wrapInfo !== undefined || r.secret !== undefined;
}
