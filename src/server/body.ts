/**
 * Request bodies. Vault parses the body as JSON whatever the declared content type is close to
 * (curl's `-d` sends application/x-www-form-urlencoded), so those are accepted; anything that is
 * clearly not JSON (multipart, XML, binary) is refused with 415 before any work is done.
 */
import { SealtrailError, invalid } from '../errors/index.js';
import { isJsonObject } from '../lib/safe-object.js';
import { jsonSyntaxFault } from '../lib/json-fault.js';
import { parseJson } from '../lib/json-text.js';

const JSON_LIKE = /^(application\/(json|[\w.+-]*\+json|x-www-form-urlencoded|x-amz-json-1\.[01])|text\/plain)\b/i;

export function isAcceptedContentType(contentType: string | undefined): boolean {
  return contentType === undefined || contentType === '' || JSON_LIKE.test(contentType);
}

/** PATCH bodies must be declared as JSON merge patches (RFC 7396), as Vault requires. */
export function isMergePatch(contentType: string | undefined): boolean {
  return contentType !== undefined && contentType.split(';')[0].trim().toLowerCase() === 'application/merge-patch+json';
}

export function unsupportedContentType(contentType: string): SealtrailError {
  const shown = contentType.split(';')[0].trim().slice(0, 100);
  return new SealtrailError('invalid', 'unsupported_content_type', `unsupported content type "${shown}": send a JSON body (application/json)`);
}

/**
 * Parses a JSON object body; empty bodies are `{}`. Numbers keep their literal text, as Vault's
 * `UseNumber` decoding does (lib/json-text.ts). The message never echoes the body: it names the
 * position of the fault only (lib/json-fault.ts), since the client's error and the audit entries'
 * `error` are not hashed.
 */
export function parseJsonObject(raw: Buffer | string | undefined): Record<string, unknown> {
  if (raw === undefined) return {};
  const text = typeof raw === 'string' ? raw : raw.toString('utf8');
  if (text.trim() === '') return {};
  let value: unknown;
  try {
    value = parseJson(text);
  } catch {
    throw invalid(`failed to parse JSON input: ${jsonSyntaxFault(text)}`, 'malformed_json');
  }
  if (!isJsonObject(value)) {
    throw invalid('failed to parse JSON input: the body must be a JSON object', 'malformed_json');
  }
  return value as Record<string, unknown>;
}
