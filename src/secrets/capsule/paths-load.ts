/**
 * `load` (update): `{capsule (base64), read_context, parameters?, location?}` → the data in the
 * shape it was given, with the read context's effects applied, plus a summary.
 *
 * No record, no data: the `open` access record is stored after the capsule is decrypted and the
 * `read` record after the effects are applied, both before anything is returned; if either write
 * fails the load fails. Refusals (malformed or tampered capsule, unknown context or key version,
 * missing required parameter, DenyCapsule) are stored as access records with an `error` too.
 *
 * A record names a capsule only once its header is authenticated (its data key unwraps under the
 * domain key, with the domain, id and key version as AAD). Anyone may write any id into a header;
 * a refusal before that point leaves `capsule` null and keeps the header's claim in
 * `unverified_capsule`, so a caller holding no capsule cannot add records to another's log.
 */
import type { PathSpec, BackendRequest, LogicalResponse } from '../../core/index.js';
import { invalid, isSealtrailError, SealtrailError } from '../../errors/index.js';
import { applyReadContext } from './apply-read.js';
import { decodeBody } from './body.js';
import { qualifiedName } from './domain.js';
import type { CapsuleEngine } from './engine.js';
import { integrityFailure, openBody, parseCapsule, unwrapDataKey } from './format.js';
import { contextName, locationField, parameterMap, requiredString } from './input.js';
import type { AccessRecord, ReadInfo } from './log/records.js';
import { summarizeTagCounts, summarizeTags, tagView } from './tag-summary.js';
import { getOwn } from '../../lib/safe-object.js';
import { decodeWrappedBase64 } from '../../lib/base64.js';

const emptyReadInfo = (parameters: Record<string, string>, readContext: string): ReadInfo => ({
  parameters,
  read_context: readContext,
  allowed_tags: summarizeTags([]),
  redacted_tags: summarizeTags([]),
  tokenized_tags: summarizeTags([]),
  returned_records: 0,
  filtered_records: 0,
});

async function load(engine: CapsuleEngine, req: BackendRequest): Promise<LogicalResponse> {
  await engine.ready();
  const encoded = requiredString(req.data, 'capsule');
  // Named on every load, never implied: an omitted parameter is one a policy's
  // allowed_parameters does not check (as in Vault), and `default` allows everything.
  const readContextName = contextName(requiredString(req.data, 'read_context'), 'read context');
  const parameters = parameterMap(req.data.parameters);
  const readContext = qualifiedName(engine.domain, readContextName);
  const origin = { requestId: req.logical.id };
  const base: Omit<AccessRecord, 'id' | 'time' | 'operation'> = {
    domain: engine.domain,
    capsule: null,
    ...engine.actor(req.token),
    location: locationField(req.data),
    create_info: null,
    open_info: { read_context: readContext },
    read_info: null,
  };
  let operation: 'open' | 'read' = 'open';
  /** The id an unauthenticated header claims: never the record's `capsule` (see above). */
  let claimed: string | undefined;

  try {
    const bytes = decodeWrappedBase64(encoded);
    if (!bytes) throw integrityFailure('capsule is not valid base64');
    const parsed = parseCapsule(bytes);
    claimed = parsed.header.capsuleId;
    if (parsed.header.domain !== engine.domain) {
      throw invalid(`capsule belongs to domain ${parsed.header.domain}, not ${engine.domain}`, 'capsule_wrong_domain');
    }
    const key = await engine.keys.version(parsed.header.keyVersion);
    if (!key) throw invalid(`capsule was sealed under unknown domain key version ${parsed.header.keyVersion}`, 'capsule_unknown_key');
    const dataKey = unwrapDataKey(parsed, key.key);
    base.capsule = parsed.header.capsuleId;
    claimed = undefined;
    const context = await engine.readContexts.get(readContextName);
    if (!context) throw invalid(`unknown read context "${readContextName}"`, 'capsule_unknown_read_context');
    const missing = context.parameters.filter((p) => p.required && getOwn(parameters, p.key) === undefined).map((p) => p.key);
    if (missing.length > 0) {
      throw invalid(`missing required read parameter(s) for read context "${readContextName}": ${missing.join(', ')}`, 'capsule_missing_parameter');
    }
    const body = decodeBody(openBody(parsed, dataKey));
    base.location ??= body.location;
    await engine.logs.appendAccess({ ...base, operation: 'open' }, origin);

    operation = 'read';
    base.open_info = null;
    const tokenKey = await engine.keys.tokenizationKey();
    const outcome = applyReadContext(body, context, parameters, tokenKey);
    if (outcome.denied) {
      base.read_info = emptyReadInfo(parameters, readContext);
      throw new SealtrailError('permission', 'capsule_denied', `read context "${readContextName}" denies access to this capsule`);
    }
    const view = tagView(tokenKey);
    const readInfo: ReadInfo = {
      parameters,
      read_context: readContext,
      allowed_tags: summarizeTagCounts(outcome.allowed, view),
      redacted_tags: summarizeTagCounts(outcome.redacted, view),
      tokenized_tags: summarizeTagCounts(outcome.tokenized, view),
      returned_records: outcome.returnedRecords,
      filtered_records: outcome.filteredRecords,
    };
    await engine.logs.appendAccess({ ...base, operation: 'read', read_info: readInfo }, origin);
    const { parameters: _logged, ...summary } = readInfo;
    return { data: { capsule_id: parsed.header.capsuleId, ...outcome.output, summary } };
  } catch (err) {
    if (isSealtrailError(err) && err.code === 'capsule_log_write_failed') throw err;
    const message = isSealtrailError(err) && err.kind !== 'internal' ? err.message : 'internal error';
    if (operation === 'read') base.read_info ??= emptyReadInfo(parameters, readContext);
    // If this write fails too, its error replaces the original: the refusal must not go unlogged.
    const unverified = claimed === undefined ? {} : { unverified_capsule: claimed };
    await engine.logs.appendAccess({ ...base, operation, ...unverified, error: message }, origin);
    throw err;
  }
}

export function loadPath(engine: CapsuleEngine): PathSpec {
  return { pattern: 'load', handlers: { update: (req) => load(engine, req) } };
}
