import { useState, type FormEvent } from 'react';
import { signInRefusal } from '../lib/api';

/** Sign-in with a token; the field is a password input and is cleared as soon as it is used. */
export function SignIn({ onSignIn, notice }: { onSignIn: (token: string) => Promise<void>; notice?: string }) {
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const field = e.currentTarget.elements.namedItem('token') as HTMLInputElement;
    const token = field.value.trim();
    field.value = '';
    if (token === '') return setError('Enter a token.');
    setBusy(true);
    setError(undefined);
    try {
      await onSignIn(token);
    } catch (err) {
      setError(signInRefusal(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="centered">
      <form className="signin" onSubmit={submit} aria-labelledby="signin-title">
        <h1 id="signin-title">Sealtrail console</h1>
        {notice && <p className="notice" role="status">{notice}</p>}
        <label htmlFor="token">Token</label>
        <input id="token" name="token" type="password" autoComplete="off" spellCheck={false} autoFocus required />
        <button type="submit" disabled={busy}>{busy ? 'Signing in…' : 'Sign in'}</button>
        {error && <p className="error" role="alert">{error}</p>}
        <p className="hint">The token is kept for this tab only (sessionStorage) and sent only to this server.</p>
      </form>
    </main>
  );
}
