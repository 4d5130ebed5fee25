/**
 * The console's calls to the server's API: same-origin paths under /v1/ only, the token as
 * X-Vault-Token. A 403 is checked against lookup-self: if the token itself is no longer valid
 * (expired, revoked) the session ends; otherwise it is a permission this token lacks.
 */
export class ApiError extends Error {
  /** `status` 0: no answer (the server is down, restarting or unreachable). */
  constructor(readonly status: number, message: string, readonly path?: string) {
    super(message);
  }
}

/** What went wrong, for a page: a bare refusal names what this token may not read. */
export function explainError(err: unknown): string {
  if (!(err instanceof ApiError)) return err instanceof Error ? err.message : String(err);
  if (err.status === 403 && err.path && err.message === 'permission denied') return `${err.message}: this token may not read ${err.path}`;
  return err.message;
}

export interface Api {
  json<T>(path: string, params?: URLSearchParams): Promise<T>;
  text(path: string, params?: URLSearchParams): Promise<string>;
  bytes(path: string): Promise<Uint8Array>;
}

export interface TokenInfo {
  readonly accessor: string;
  readonly display_name: string;
  readonly policies: readonly string[];
  readonly entity_id: string;
  readonly ttl: number;
}

/** A relative API path: no scheme, host or dot segments, so a request never leaves this origin. */
function url(path: string, params?: URLSearchParams): string {
  if (!/^[A-Za-z0-9_\-/.]+$/.test(path) || path.split('/').some((s) => s === '' || s === '..' || s === '.')) throw new Error('bad API path');
  const query = params?.toString();
  return `/v1/${path}${query ? `?${query}` : ''}`;
}

async function errorOf(res: Response, path?: string): Promise<ApiError> {
  let message = `${res.status} ${res.statusText}`;
  try {
    const body = await res.json() as { errors?: unknown };
    if (Array.isArray(body.errors) && body.errors.length > 0) message = body.errors.map(String).join('; ');
  } catch { /* not JSON: the status says enough */ }
  return new ApiError(res.status, message, path);
}

export function createApi(token: string, onSignedOut: () => void, fetcher: typeof fetch = fetch): Api {
  const get = async (path: string, params?: URLSearchParams): Promise<Response> => {
    const target = url(path, params);
    const res = await fetcher(target, { headers: { 'x-vault-token': token }, credentials: 'omit', cache: 'no-store' })
      .catch(() => { throw new ApiError(0, 'the server could not be reached', path); });
    if (res.ok) return res;
    const err = await errorOf(res, path);
    if (res.status === 403 && path !== 'auth/token/lookup-self') {
      const self = await fetcher(url('auth/token/lookup-self'), { headers: { 'x-vault-token': token }, credentials: 'omit' });
      if (self.status === 403) onSignedOut();
    } else if (res.status === 403) {
      onSignedOut();
    }
    throw err;
  };
  return {
    async json<T>(path: string, params?: URLSearchParams) {
      return (await (await get(path, params)).json() as { data: T }).data;
    },
    async text(path: string, params?: URLSearchParams) {
      return (await get(path, params)).text();
    },
    async bytes(path: string) {
      return new Uint8Array(await (await get(path)).arrayBuffer());
    },
  };
}

/** Checks a token with lookup-self; the token's public description, never the token. */
export async function lookupSelf(token: string, fetcher: typeof fetch = fetch): Promise<TokenInfo> {
  const res = await fetcher(url('auth/token/lookup-self'), { headers: { 'x-vault-token': token }, credentials: 'omit', cache: 'no-store' });
  if (!res.ok) throw await errorOf(res);
  const { data } = await res.json() as { data: TokenInfo };
  return { accessor: data.accessor, display_name: data.display_name, policies: data.policies, entity_id: data.entity_id, ttl: data.ttl };
}

/**
 * Why sign-in failed, for the sign-in page: only a 403 is the token refused; a sealed or
 * overloaded server, or none at all, says so rather than blaming the token.
 */
export function signInRefusal(err: unknown): string {
  if (!(err instanceof ApiError)) return 'The server could not be reached.';
  if (err.status === 403) return 'The server did not accept this token (unknown, expired or revoked).';
  return `The server could not check the token: ${err.message}`;
}
