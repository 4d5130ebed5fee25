/**
 * The audit input: one typed model the lifecycle builds for every audited request and response,
 * and the hooks it hands it to. Declared here, below both the lifecycle and the audit module, so
 * the core depends on no audit code; the audit module implements the hooks and reads the input.
 * Formatters (Vault JSON, JSONx) and the hash walker read it; nothing in the audit pipeline may
 * mutate it (each device works on its own copy).
 */
import type { IssuedAuth, LogicalRequest, LogicalResponse, MountEntry, TokenEntry } from './types.js';

export interface AuditInput {
  request: LogicalRequest;
  /** The operation after the existence check (create vs update). */
  operation: LogicalRequest['operation'];
  /** The mount that served the request (absent when no mount matched). */
  mount?: Pick<MountEntry, 'path' | 'type' | 'accessor' | 'table' | 'config'>;
  /** The caller's token (absent for unauthenticated requests or an unknown token). */
  token?: TokenEntry;
  /** Remaining uses after this request, for tokens with num_uses. */
  remainingUses?: number;
  /** Set on the response entry only. */
  response?: LogicalResponse;
  /** For logins: the newly issued token (hashed in output like any token). */
  issuedAuth?: IssuedAuth;
  /**
   * The ACL's verdict, Vault's `auth.policy_results`: set once a policy was checked (or the path
   * needs none), absent when the request was refused before (an unknown token).
   */
  policyResults?: PolicyResults;
  /** Error text shown to the client (also in the audit entry). */
  error?: string;
  /** Request headers chosen under sys/config/auditing/request-headers, already filtered. */
  auditedHeaders?: Record<string, string[]>;
  /** Nanoseconds since the epoch for the entry's `time`. */
  timeNs: bigint;
  /**
   * Shared by the request's entries (the response entry's input carries the same object): a
   * device keeps what is identical in both here, such as its serialized `request` block.
   */
  shared?: AuditShared;
}

export interface PolicyResults {
  allowed: boolean;
  /** Names of the policies that granted the operation (the ACL's frozen list; empty when refused). */
  grantingPolicies: readonly string[];
}

/**
 * The runs of a Vault JSON `request` block that no device hashes: `{"id":…,"operation":…` with the
 * mount's fields, the namespace and path, and the peer fields (remote address, port, wrap TTL).
 */
export interface RequestRuns {
  head: string;
  location: string;
  peer: string;
}

/** Per-request work of each device, keyed by an object the device owns. */
export class AuditShared {
  /** Owners and their values, alternating: a request has a value per device, rarely more than two. */
  #entries: unknown[] | undefined = undefined;
  /** Written by the first JSON device, reused by the others (audit/request-json.ts). */
  requestRuns: RequestRuns | undefined = undefined;

  get<T>(owner: object): T | undefined {
    const e = this.#entries;
    if (e) for (let i = 0; i < e.length; i += 2) if (e[i] === owner) return e[i + 1] as T;
    return undefined;
  }

  set(owner: object, value: unknown): void {
    (this.#entries ??= []).push(owner, value);
  }
}

/** The lifecycle's audit hooks. The core fails the request (500) when either rejects. */
export interface AuditHooks {
  /** Resolves once at least one device recorded the entry, rejects otherwise. */
  logRequest(input: AuditInput): Promise<void>;
  logResponse(input: AuditInput): Promise<void>;
  /** True when at least one device is enabled (nothing to do otherwise). */
  readonly enabled: boolean;
}
