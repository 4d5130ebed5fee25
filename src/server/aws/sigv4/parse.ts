/**
 * Parses `Authorization: AWS4-HMAC-SHA256 Credential=AKIA.../20240101/us-east-1/kms/aws4_request,
 * SignedHeaders=host;x-amz-date, Signature=<64 hex>` into its parts, or explains what is missing in
 * AWS's IncompleteSignatureException words. Signed header names are lower-case HTTP tokens, at
 * most MAX_SIGNED_HEADERS of them, each once.
 */
export const ALGORITHM = 'AWS4-HMAC-SHA256';

/** More signed headers than any SDK sends; a longer list is refused before any work is done. */
export const MAX_SIGNED_HEADERS = 64;
const HEADER_NAME = /^[a-z0-9!#$%&'*+.^_`|~-]{1,128}$/;

export interface ParsedAuthorization {
  accessKeyId: string;
  /** yyyymmdd of the credential scope. */
  date: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
}

export type ParseResult = { ok: true; value: ParsedAuthorization } | { ok: false; message: string };

function parseSignedHeaders(field: string): string[] | string {
  const names = field.split(';');
  if (names.length > MAX_SIGNED_HEADERS) return `SignedHeaders may name at most ${MAX_SIGNED_HEADERS} headers.`;
  for (const name of names) {
    if (!HEADER_NAME.test(name)) return 'SignedHeaders must be lower-case header names separated by semicolons.';
  }
  if (new Set(names).size !== names.length) return 'SignedHeaders must name each header once.';
  return names;
}

export function parseAuthorization(header: string): ParseResult {
  const trimmed = header.trim();
  if (!trimmed.startsWith(`${ALGORITHM} `)) {
    return { ok: false, message: `Authorization header requires the algorithm ${ALGORITHM}.` };
  }
  const fields = new Map<string, string>();
  for (const part of trimmed.slice(ALGORITHM.length + 1).split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const missing = ['Credential', 'SignedHeaders', 'Signature'].filter((f) => !fields.get(f));
  if (missing.length > 0) {
    return { ok: false, message: missing.map((f) => `Authorization header requires '${f}' parameter.`).join(' ') + ` Authorization=${ALGORITHM}` };
  }
  const scope = fields.get('Credential')!.split('/');
  if (scope.length !== 5 || scope[4] !== 'aws4_request' || !/^\d{8}$/.test(scope[1])) {
    return { ok: false, message: "Credential should be scoped to a valid region and service, and end in 'aws4_request'." };
  }
  const signature = fields.get('Signature')!;
  if (!/^[0-9a-f]{64}$/.test(signature)) return { ok: false, message: 'Signature must be 64 lower-case hex characters.' };
  const signedHeaders = parseSignedHeaders(fields.get('SignedHeaders')!);
  if (typeof signedHeaders === 'string') return { ok: false, message: signedHeaders };
  return {
    ok: true,
    value: { accessKeyId: scope[0], date: scope[1], region: scope[2], service: scope[3], signedHeaders, signature },
  };
}
