import type { Api, TokenInfo } from '../lib/api';
import { routePath, type Route } from '../lib/route';
import { Link } from './Link';
import { TimelinePage } from '../pages/TimelinePage';
import { LedgerPage } from '../pages/LedgerPage';
import { EntityPage } from '../pages/EntityPage';
import { OperationsPage } from '../pages/OperationsPage';

const NAV: readonly { route: Route; label: string }[] = [
  { route: { page: 'timeline' }, label: 'Timeline' },
  { route: { page: 'ledger' }, label: 'Ledger' },
  { route: { page: 'operations' }, label: 'Operations' },
];

/** The signed-in frame: navigation, who is signed in (display name and accessor only), the page. */
export function Shell({ api, info, route, search, onSignOut }: { api: Api; info: TokenInfo; route: Route; search: string; onSignOut: () => void }) {
  return (
    <div className="shell">
      <header className="topbar">
        <span className="brand">Sealtrail</span>
        <nav aria-label="Pages">
          {NAV.map((n) => (
            <Link key={n.label} href={routePath(n.route)} className={n.route.page === route.page ? 'active' : undefined}>{n.label}</Link>
          ))}
        </nav>
        <span className="who" title={`accessor ${info.accessor}`}>{info.display_name || 'token'} · {info.accessor}</span>
        <button type="button" onClick={onSignOut}>Sign out</button>
      </header>
      {route.page === 'timeline' && <TimelinePage api={api} search={search} />}
      {route.page === 'ledger' && <LedgerPage api={api} />}
      {route.page === 'operations' && <OperationsPage api={api} />}
      {route.page === 'entity' && <EntityPage api={api} entityId={route.entityId} />}
    </div>
  );
}
