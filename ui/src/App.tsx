import { useCallback, useEffect, useMemo, useState } from 'react';
import { createApi, lookupSelf, type TokenInfo } from './lib/api';
import { parseRoute } from './lib/route';
import { useLocation } from './navigation';
import { clearToken, storedToken, storeToken } from './session';
import { SignIn } from './pages/SignIn';
import { Shell } from './components/Shell';

type Session = { token: string; info: TokenInfo };

/** Signed in (a token lookup-self accepted) or not; the token lives in sessionStorage only. */
export function App() {
  const [session, setSession] = useState<Session | undefined>();
  const [checking, setChecking] = useState(() => storedToken() !== undefined);
  const [notice, setNotice] = useState<string | undefined>();
  const place = useLocation();

  const signOut = useCallback((why?: string) => {
    clearToken();
    setSession(undefined);
    setNotice(why);
  }, []);

  const signIn = useCallback(async (token: string) => {
    const info = await lookupSelf(token);
    storeToken(token);
    setNotice(undefined);
    setSession({ token, info });
  }, []);

  useEffect(() => {
    const token = storedToken();
    if (!token) return;
    signIn(token).catch(() => signOut('Your session ended: sign in again.')).finally(() => setChecking(false));
  }, [signIn, signOut]);

  const api = useMemo(
    () => (session ? createApi(session.token, () => signOut('The token is no longer valid (expired or revoked): sign in again.')) : undefined),
    [session, signOut],
  );

  if (checking) return <main className="centered">Checking your session…</main>;
  if (!session || !api) return <SignIn onSignIn={signIn} notice={notice} />;
  return <Shell api={api} info={session.info} route={parseRoute(place.pathname)} search={place.search} onSignOut={() => signOut()} />;
}
