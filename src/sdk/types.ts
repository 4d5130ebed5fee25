/**
 * Wire types of Vault's HTTP API as Sealtrail serves it. Field names are the JSON names on the
 * wire (snake_case), so what you read here is what `curl` shows; nothing is renamed.
 */

/** `auth` block of a response that issued or describes a token. */
export interface AuthInfo {
  client_token: string;
  accessor: string;
  policies: string[] | null;
  token_policies: string[] | null;
  identity_policies?: string[] | null;
  metadata: Record<string, string> | null;
  lease_duration: number;
  renewable: boolean;
  entity_id: string;
  token_type: string;
  orphan: boolean;
  num_uses?: number;
}

export interface WrapInfo {
  token: string;
  accessor: string;
  ttl: number;
  creation_time: string;
  creation_path: string;
  /** The accessor of the token the wrapped response holds, when it holds one. */
  wrapped_accessor?: string;
}

/** Vault's response envelope. `data` is typed per endpoint. */
export interface VaultResponse<T = Record<string, unknown>> {
  request_id: string;
  lease_id: string;
  renewable: boolean;
  lease_duration: number;
  data: T | null;
  wrap_info: WrapInfo | null;
  warnings: string[] | null;
  auth: AuthInfo | null;
  mount_type?: string;
}

/** Query string values; arrays repeat the key, undefined drops it. */
export type QueryValue = string | number | boolean | readonly string[] | undefined;
export type Query = Record<string, QueryValue>;

/** `GET sys/seal-status` and the answer of `sys/unseal`. */
export interface SealStatus {
  type: string;
  initialized: boolean;
  sealed: boolean;
  t: number;
  n: number;
  progress: number;
  nonce: string;
  version: string;
  build_date?: string;
  migration?: boolean;
  recovery_seal?: boolean;
  storage_type?: string;
  cluster_name?: string;
  cluster_id?: string;
}

/** `sys/rekey/init` (GET, PUT) and `sys/rekey/update` before the last share: Vault's RekeyStatusResponse. */
export interface RekeyStatus {
  started: boolean;
  nonce: string;
  /** The new threshold and number of shares. */
  t: number;
  n: number;
  progress: number;
  /** Current shares needed. */
  required: number;
  verification_required: boolean;
  verification_nonce?: string;
}

/** `sys/rekey/update` with the last share: the new shares. */
export interface RekeyResult {
  complete: true;
  nonce: string;
  keys: string[];
  keys_base64: string[];
  verification_required: boolean;
  verification_nonce?: string;
}

/** `sys/rekey/verify`: Vault's RekeyVerificationStatusResponse, or `{ nonce, complete: true }` once verified. */
export interface RekeyVerifyStatus {
  started?: boolean;
  nonce: string;
  t?: number;
  n?: number;
  progress?: number;
  complete?: boolean;
}

export interface InitRequest {
  secret_shares: number;
  secret_threshold: number;
}

export interface InitResponse {
  keys: string[];
  keys_base64: string[];
  root_token: string;
}

export interface HealthResponse {
  initialized: boolean;
  sealed: boolean;
  standby: boolean;
  server_time_utc: number;
  version: string;
  cluster_name?: string;
  cluster_id?: string;
  [extra: string]: unknown;
}

/** The `config` of a mount as `sys/mounts`, `sys/auth` and `.../tune` return it. */
export interface MountConfigOutput {
  default_lease_ttl: number;
  max_lease_ttl: number;
  force_no_cache?: boolean;
  audit_non_hmac_request_keys?: string[];
  audit_non_hmac_response_keys?: string[];
  listing_visibility?: string;
  passthrough_request_headers?: string[];
  allowed_response_headers?: string[];
  description?: string;
  options?: Record<string, string> | null;
  [extra: string]: unknown;
}

/** Tune input: durations may be seconds or Go duration strings (`"768h"`). */
export interface MountConfigInput {
  default_lease_ttl?: string | number;
  max_lease_ttl?: string | number;
  description?: string;
  audit_non_hmac_request_keys?: string[];
  audit_non_hmac_response_keys?: string[];
  listing_visibility?: string;
  passthrough_request_headers?: string[];
  allowed_response_headers?: string[];
  options?: Record<string, string>;
}

export interface MountOutput {
  type: string;
  description: string;
  accessor: string;
  config: MountConfigOutput;
  options: Record<string, string> | null;
  local: boolean;
  seal_wrap: boolean;
  external_entropy_access?: boolean;
  uuid?: string;
}

export interface MountInput {
  type: string;
  description?: string;
  config?: MountConfigInput;
  options?: Record<string, string>;
  local?: boolean;
  seal_wrap?: boolean;
}

export interface AclPolicy {
  name: string;
  policy: string;
}

export interface AuditDevice {
  type: string;
  description: string;
  options: Record<string, string> | null;
  local: boolean;
  path: string;
}

export interface AuditEnableInput {
  type: string;
  description?: string;
  options?: Record<string, string>;
  local?: boolean;
}

/** `auth/token/create` body. */
export interface TokenCreateRequest {
  id?: string;
  policies?: string[];
  meta?: Record<string, string>;
  no_parent?: boolean;
  no_default_policy?: boolean;
  renewable?: boolean;
  ttl?: string | number;
  explicit_max_ttl?: string | number;
  period?: string | number;
  display_name?: string;
  num_uses?: number;
  type?: 'service' | 'batch';
  entity_alias?: string;
}

/** `data` of `auth/token/lookup*`. */
export interface TokenLookupData {
  accessor: string;
  creation_time: number;
  creation_ttl: number;
  display_name: string;
  entity_id: string;
  expire_time: string | null;
  explicit_max_ttl: number;
  id: string;
  issue_time?: string;
  meta: Record<string, string> | null;
  num_uses: number;
  orphan: boolean;
  path: string;
  policies: string[];
  identity_policies?: string[];
  renewable?: boolean;
  ttl: number;
  type: string;
  [extra: string]: unknown;
}

/** Per-version metadata of KV v2 (`data/` write answer, `metadata` inside a read). */
export interface KvVersionMetadata {
  created_time: string;
  custom_metadata: Record<string, string> | null;
  deletion_time: string;
  destroyed: boolean;
  version: number;
}

/** `data` of a KV v2 `data/<path>` read. `data` is null for a deleted or destroyed version. */
export interface KvSecretData<T = Record<string, unknown>> {
  data: T | null;
  metadata: KvVersionMetadata;
}

/** `data` of a KV v2 `metadata/<path>` read. */
export interface KvMetadata {
  cas_required: boolean;
  created_time: string;
  current_version: number;
  custom_metadata: Record<string, string> | null;
  delete_version_after: string;
  max_versions: number;
  oldest_version: number;
  updated_time: string;
  versions: Record<string, { created_time: string; deletion_time: string; destroyed: boolean }>;
}

export interface KvMetadataInput {
  max_versions?: number;
  cas_required?: boolean;
  delete_version_after?: string;
  custom_metadata?: Record<string, string>;
}

/** What `list` answers: `data.keys`, folders end in `/`. */
export interface ListData {
  keys: string[];
}
