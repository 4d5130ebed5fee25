/**
 * What the two audit entries of a refused request say, as Vault writes them
 * (vault/request_handling.go): the request entry's `error` is the refusal as the core saw it, the
 * response entry's `error` is the error Vault returns, a go-multierror
 * (`1 error occurred:\n\t* permission denied\n\n`), and its `response.data.error` is the text of
 * the error response the client got.
 * - ACL or sudo refusal: Vault's policy check already returns the multierror, so all three carry it.
 * - No route: the request passed its checks, so its entry has no error; routing then fails with
 *   Vault's `unsupported path` error and the route message as the response's data.
 * - Anything else (an unknown token, a token spent meanwhile, input the edge refused): the error's
 *   own text, wrapped in the multierror for the response entry.
 */
import type { SealtrailError } from '../errors/index.js';

export interface RefusalTexts {
  /** The request entry's `error` (absent: none). */
  readonly request?: string;
  /** The response entry's top-level `error`. */
  readonly response: string;
  /** The response entry's `response.data.error` (hashed like any response string). */
  readonly data: string;
}

/** go-multierror's text for a list of errors (its default ListFormatFunc). */
export function multiError(...errors: string[]): string {
  if (errors.length === 1) return `1 error occurred:\n\t* ${errors[0]}\n\n`;
  return `${errors.length} errors occurred:\n${errors.map((e) => `\t* ${e}`).join('\n')}\n\n`;
}

/** Vault's router error for a path no mount serves (logical.ErrUnsupportedPath). */
const UNSUPPORTED_PATH = 'unsupported path';

export function refusalTexts(err: SealtrailError, kind: 'acl' | 'no_route' | 'other' = 'other'): RefusalTexts {
  // An error without a message is named by its code, so no entry reads as a success.
  const text = err.auditText || err.code;
  switch (kind) {
    case 'acl': {
      const denied = multiError(text);
      return { request: denied, response: denied, data: denied };
    }
    case 'no_route':
      return { response: multiError(UNSUPPORTED_PATH), data: text };
    default:
      return { request: text, response: multiError(text), data: text };
  }
}
