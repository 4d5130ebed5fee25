/**
 * The signed-in token: kept in sessionStorage (gone with the tab), never rendered, and sent only
 * as X-Vault-Token on requests to this origin (api.ts builds same-origin paths only). Beside it,
 * the token's public description (accessor, display name), so a reload draws the console at once
 * while lookup-self checks the token again.
 */
import type { TokenInfo } from './lib/api';

const TOKEN = 'sealtrail.token';
const INFO = 'sealtrail.token-info';

export function storedToken(): string | undefined {
  return sessionStorage.getItem(TOKEN) ?? undefined;
}

export function storedInfo(): TokenInfo | undefined {
  try {
    const info = JSON.parse(sessionStorage.getItem(INFO) ?? 'null') as TokenInfo | null;
    return info && typeof info.accessor === 'string' ? info : undefined;
  } catch {
    return undefined;
  }
}

export function storeToken(token: string, info: TokenInfo): void {
  sessionStorage.setItem(TOKEN, token);
  sessionStorage.setItem(INFO, JSON.stringify(info));
}

export function clearToken(): void {
  sessionStorage.removeItem(TOKEN);
  sessionStorage.removeItem(INFO);
}
