/** The console's routes: paths under /ui/, parsed and built in one place. */
export type Route =
  | { readonly page: 'timeline' }
  | { readonly page: 'ledger' }
  | { readonly page: 'operations' }
  | { readonly page: 'entity'; readonly entityId: string };

export const BASE = '/ui/';

export function parseRoute(pathname: string): Route {
  const rest = pathname.startsWith(BASE) ? pathname.slice(BASE.length) : '';
  const [head, ...tail] = rest.split('/');
  if (head === 'ledger') return { page: 'ledger' };
  if (head === 'operations') return { page: 'operations' };
  if (head === 'entity' && tail.length === 1 && tail[0] !== '') {
    try {
      return { page: 'entity', entityId: decodeURIComponent(tail[0]) };
    } catch {
      return { page: 'timeline' };
    }
  }
  return { page: 'timeline' };
}

export function routePath(route: Route): string {
  switch (route.page) {
    case 'timeline': return BASE;
    case 'entity': return `${BASE}entity/${encodeURIComponent(route.entityId)}`;
    default: return `${BASE}${route.page}`;
  }
}
