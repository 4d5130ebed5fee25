/**
 * History-based navigation: pushState for links inside the console, popstate for back/forward.
 * Components read the location through useLocation and move with navigate().
 */
import { useEffect, useState } from 'react';

const EVENT = 'sealtrail:navigate';

export function navigate(href: string, replace = false): void {
  if (href === window.location.pathname + window.location.search) return;
  if (replace) window.history.replaceState(null, '', href);
  else window.history.pushState(null, '', href);
  window.dispatchEvent(new Event(EVENT));
}

export interface Place { readonly pathname: string; readonly search: string }

function here(): Place {
  return { pathname: window.location.pathname, search: window.location.search };
}

export function useLocation(): Place {
  const [place, setPlace] = useState(here);
  useEffect(() => {
    const update = () => setPlace(here());
    window.addEventListener('popstate', update);
    window.addEventListener(EVENT, update);
    return () => {
      window.removeEventListener('popstate', update);
      window.removeEventListener(EVENT, update);
    };
  }, []);
  return place;
}
