/** The console's API client: same-origin paths only, the token as a header, and when a 403 ends the session. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError, createApi, explainError, lookupSelf, signInRefusal } from '../../ui/src/lib/api.js';

type Call = { url: string; init: RequestInit };

function fakeFetch(answers: Record<string, { status: number; body: unknown }>) {
  const calls: Call[] = [];
  const fetcher = (async (url: string, init: RequestInit) => {
    calls.push({ url, init });
    const path = url.split('?')[0];
    const a = answers[path] ?? { status: 404, body: { errors: [] } };
    return new Response(JSON.stringify(a.body), { status: a.status, headers: { 'content-type': 'application/json' } });
  }) as unknown as typeof fetch;
  return { fetcher, calls };
}

test('requests go to /v1/ of this origin with the token as X-Vault-Token and no cookies', async () => {
  const { fetcher, calls } = fakeFetch({ '/v1/sys/journal/records': { status: 200, body: { data: { records: [], next_cursor: null } } } });
  const api = createApi('hvs.secret', () => assert.fail('not signed out'), fetcher);
  assert.deepEqual(await api.json('sys/journal/records', new URLSearchParams({ limit: '1' })), { records: [], next_cursor: null });
  assert.equal(calls[0].url, '/v1/sys/journal/records?limit=1');
  assert.deepEqual(calls[0].init.headers, { 'x-vault-token': 'hvs.secret' });
  assert.equal(calls[0].init.credentials, 'omit');
  for (const bad of ['//evil.example/x', 'https://evil.example/', '../ui', 'sys/../../x', 'sys/./x', 'sys/journal?x=1', 'sys\\x']) {
    await assert.rejects(api.json(bad), /bad API path/, bad);
  }
  assert.equal(calls.length, 1, 'no request for a bad path');
});

test('a 403 ends the session only when lookup-self refuses the token too', async () => {
  const revoked = fakeFetch({ '/v1/sys/audit': { status: 403, body: { errors: ['permission denied'] } }, '/v1/auth/token/lookup-self': { status: 403, body: { errors: ['permission denied'] } } });
  let signedOut = 0;
  await assert.rejects(createApi('t', () => signedOut++, revoked.fetcher).json('sys/audit'), (err: unknown) => err instanceof ApiError && err.status === 403 && err.message === 'permission denied');
  assert.equal(signedOut, 1);

  const lacking = fakeFetch({ '/v1/sys/audit': { status: 403, body: { errors: ['permission denied'] } }, '/v1/auth/token/lookup-self': { status: 200, body: { data: {} } } });
  await assert.rejects(createApi('t', () => signedOut++, lacking.fetcher).json('sys/audit'), /permission denied/);
  assert.equal(signedOut, 1, 'a permission the token lacks does not sign out');

  const other = fakeFetch({ '/v1/sys/audit': { status: 500, body: { errors: ['internal error'] } } });
  await assert.rejects(createApi('t', () => signedOut++, other.fetcher).json('sys/audit'), /internal error/);
  assert.equal(signedOut, 1);
});

test('lookup-self keeps only the token\'s public description', async () => {
  const { fetcher } = fakeFetch({ '/v1/auth/token/lookup-self': { status: 200, body: { data: { id: 'hvs.secret', accessor: 'acc', display_name: 'root', policies: ['root'], entity_id: '', ttl: 0 } } } });
  const info = await lookupSelf('hvs.secret', fetcher);
  assert.deepEqual(info, { accessor: 'acc', display_name: 'root', policies: ['root'], entity_id: '', ttl: 0 });
  assert.ok(!JSON.stringify(info).includes('hvs.secret'));
});

test('sign-in says why: a refused token, a server that cannot check it (sealed), or no answer', async () => {
  const refused = fakeFetch({ '/v1/auth/token/lookup-self': { status: 403, body: { errors: ['permission denied'] } } });
  const sealed = fakeFetch({ '/v1/auth/token/lookup-self': { status: 503, body: { errors: ['Vault is sealed'] } } });
  const reason = async (fetcher: typeof fetch) => signInRefusal(await lookupSelf('t', fetcher).then(() => assert.fail('accepted'), (err: unknown) => err));
  assert.equal(await reason(refused.fetcher), 'The server did not accept this token (unknown, expired or revoked).');
  assert.equal(await reason(sealed.fetcher), 'The server could not check the token: Vault is sealed');
  assert.equal(await reason((async () => { throw new TypeError('Failed to fetch'); }) as unknown as typeof fetch), 'The server could not be reached.');
});

test('a refusal names the path the token may not read, unless the server already said why', () => {
  assert.equal(explainError(new ApiError(403, 'permission denied', 'sys/audit')), 'permission denied: this token may not read sys/audit');
  const told = 'permission denied: an entry bundle holds every journal record\'s text, so reading one also needs read on sys/journal/records without a filter';
  assert.equal(explainError(new ApiError(403, told, 'sys/ledger/tile/entries/000')), told);
  assert.equal(explainError(new ApiError(503, 'Vault is sealed', 'sys/audit')), 'Vault is sealed');
});
