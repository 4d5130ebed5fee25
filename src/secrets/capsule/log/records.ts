/**
 * The capsule access record and the control record as stored and returned (snake_case wire form,
 * produced only here). Access records never hold capsule contents: only ids, context names, read
 * parameters, tag summaries and counts.
 */
import type { TagSummary } from '../tag-summary.js';

export type AccessOperation = 'create' | 'open' | 'read';
export const ACCESS_OPERATIONS: readonly AccessOperation[] = ['create', 'open', 'read'];

export interface ReadInfo {
  parameters: Record<string, string>;
  read_context: string;
  allowed_tags: TagSummary;
  redacted_tags: TagSummary;
  tokenized_tags: TagSummary;
  returned_records: number;
  filtered_records: number;
}

export interface AccessRecord {
  id: string;
  time: string;
  /** The request the record was made for (the id its Vault-format audit entries carry). */
  request_id?: string;
  domain: string;
  capsule: string | null;
  operation: AccessOperation;
  /** The caller's session id (log/log-key.ts): derived from the token accessor, never the accessor. */
  session: string | null;
  principal: { display_name: string; entity_id: string | null } | null;
  location: string | null;
  create_info: { write_context: string } | null;
  open_info: { read_context: string } | null;
  read_info: ReadInfo | null;
  /**
   * Present only on a load refused before the capsule's header was authenticated (`capsule` is
   * then null): the id the header claimed, which anyone can write, so it names no capsule.
   */
  unverified_capsule?: string;
  /** Present only for failed operations: the error message (never data). */
  error?: string;
}

export interface ControlRecord {
  id: string;
  time: string;
  /** The request whose change the record logs; absent for one a hook makes for another request's change. */
  request_id?: string;
  session: string | null;
  url: string;
  summary: string;
  description: Record<string, unknown>;
}

/** Who is acting: taken from the caller's token entry. */
export interface Actor {
  session: string | null;
  principal: AccessRecord['principal'];
}

export function actorOf(token: { accessor: string; displayName: string; entityId: string } | undefined, sessionId: (accessor: string) => string): Actor {
  if (!token) return { session: null, principal: null };
  return { session: token.accessor ? sessionId(token.accessor) : null, principal: { display_name: token.displayName, entity_id: token.entityId || null } };
}
