import { useCallback, useEffect, useMemo, useState } from 'react';
import { ApiError, createApi, lookupSelf, type TokenInfo } from './lib/api';
import { parseRoute } from './lib/route';
import { useLocation } from './navigation';
import { clearToken, storedInfo, storedToken, storeToken } from './session';
import { SignIn } from './pages/SignIn';
import { Shell } from './components/Shell';

type Session = { token: string; info: TokenInfo };

function restored(): Session | undefined {
  const token = storedToken();
  const info = storedInfo();
  return token && info ? { token, info } : undefined;
}

/**
 * Signed in (a token lookup-self accepted) or not. A session restored from this tab's storage is
 * drawn at once and checked again with lookup-self; a token no longer valid ends it.
 */
export function App() {
  const [session, setSession] = useState<Session | undefined>(restored);
  const [notice, setNotice] = useState<string | undefined>();
  const place = useLocation();

  const signOut = useCallback((why?: string) => {
    clearToken();
    setSession(undefined);
    setNotice(why);
  }, []);

  const signIn = useCallback(async (token: string) => {
    const info = await lookupSelf(token);
    storeToken(token, info);
    setNotice(undefined);
    setSession({ token, info });
  }, []);

  useEffect(() => {
    const token = storedToken();
    if (!token) return;
    lookupSelf(token).catch((err) => {
      // Only the server's refusal ends the session; a network error leaves it for the next call.
      if (err instanceof ApiError && err.status === 403) signOut('Your session ended: sign in again.');
    });
  }, [signOut]);

  const api = useMemo(
    () => (session ? createApi(session.token, () => signOut('The token is no longer valid (expired or revoked): sign in again.')) : undefined),
    [session, signOut],
  );

  if (!session || !api) return <SignIn onSignIn={signIn} notice={notice} />;
  return <Shell api={api} info={session.info} route={parseRoute(place.pathname)} search={place.search} onSignOut={() => signOut()} />;
}
