/**
 * The Vault HTTP response envelope, produced from a LogicalResponse in this one place. Numbers a
 * client sent are written with their literal text (lib/json-text.ts).
 */
import { stringifyJson } from '../lib/json-text.js';
import { responseHasContent, type IssuedAuth, type LogicalResponse } from '../core/index.js';

export interface HttpReply {
  status: number;
  contentType?: string;
  body?: string | Buffer;
  /** Further headers of a raw response (caching). */
  headers?: Readonly<Record<string, string>>;
}

function renderAuth(a: IssuedAuth): Record<string, unknown> {
  return {
    client_token: a.clientToken,
    accessor: a.accessor,
    policies: a.policies,
    token_policies: a.tokenPolicies,
    identity_policies: a.identityPolicies.length ? a.identityPolicies : undefined,
    metadata: Object.keys(a.metadata).length ? a.metadata : null,
    lease_duration: a.leaseDuration,
    renewable: a.renewable ?? false,
    entity_id: a.entityId ?? '',
    token_type: a.tokenType,
    orphan: a.orphan,
    mfa_requirement: null,
    num_uses: a.numUses ?? 0,
  };
}

/**
 * Sealtrail's own sys/ paths (the journal, the ledger, trails): no Vault client reads them, and
 * Sealtrail's clients read `data`. A copy at the top level would only double the answer — a
 * journal page of up to 16 Mi characters of records would be sent twice.
 */
const OWN_SYS_PATH = /^sys\/(?:journal|ledger|trails)(?:\/|$)/;

/**
 * 204 when there is nothing to say; otherwise Vault's envelope. For sys/ paths Vault also copies
 * the data keys to the top level (older clients read them there), so we do too — except for an
 * unwrapped response, and for Sealtrail's own sys/ paths (OWN_SYS_PATH).
 */
export function renderVaultResponse(requestId: string, path: string, resp: LogicalResponse, mountType?: string): HttpReply {
  if (resp.raw) {
    const { body, contentType, headers } = resp.raw;
    return { status: resp.httpStatus ?? 200, contentType, body: typeof body === 'string' || Buffer.isBuffer(body) ? body : stringifyJson(body), headers };
  }
  if (!responseHasContent(resp)) {
    // A read that found nothing: Vault's 404 with an empty error list, which clients rely on.
    if (resp.httpStatus === 404) return { status: 404, contentType: 'application/json', body: '{"errors":[]}' };
    return { status: resp.httpStatus ?? 204 };
  }
  const fields = {
    request_id: requestId,
    lease_id: resp.secret?.leaseId ?? '',
    renewable: resp.secret?.renewable ?? false,
    lease_duration: resp.secret?.ttl ?? 0,
    data: resp.data ?? null,
    wrap_info: resp.wrapInfo
      ? {
        token: resp.wrapInfo.token, accessor: resp.wrapInfo.accessor, ttl: resp.wrapInfo.ttl, creation_time: resp.wrapInfo.creationTime, creation_path: resp.wrapInfo.creationPath,
        ...(resp.wrapInfo.wrappedAccessor ? { wrapped_accessor: resp.wrapInfo.wrappedAccessor } : {}),
      }
      : null,
    warnings: resp.warnings?.length ? resp.warnings : null,
    auth: resp.issuedAuth ? renderAuth(resp.issuedAuth) : null,
    mount_type: mountType ?? '',
  };
  // The data keys come first and the envelope's own fields win, as Vault writes them. An unwrapped
  // response is another path's answer, so it is given back as that path gave it.
  const hoist = path.startsWith('sys/') && path !== 'sys/wrapping/unwrap' && !OWN_SYS_PATH.test(path) && resp.data;
  const envelope = hoist ? { ...resp.data, ...fields } : fields;
  return { status: resp.httpStatus ?? 200, contentType: 'application/json', body: stringifyJson(envelope) };
}
