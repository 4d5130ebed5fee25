/**
 * The signed-in token: kept in sessionStorage (gone with the tab), never rendered, and sent only
 * as X-Vault-Token on requests to this origin (api.ts builds same-origin paths only).
 */
const KEY = 'sealtrail.token';

export function storedToken(): string | undefined {
  return sessionStorage.getItem(KEY) ?? undefined;
}

export function storeToken(token: string): void {
  sessionStorage.setItem(KEY, token);
}

export function clearToken(): void {
  sessionStorage.removeItem(KEY);
}
