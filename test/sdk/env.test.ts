/** Address and token defaults from the environment: Sealtrail's names first, then Vault's. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addressFromEnv, tokenEnvName, tokenFromEnv } from '../../src/sdk/index.js';

const cases: Array<{ env: Record<string, string>; address: string; token: string | undefined; tokenVar: string | undefined }> = [
  { env: {}, address: 'http://127.0.0.1:8200', token: undefined, tokenVar: undefined },
  { env: { VAULT_ADDR: 'https://v:8200', VAULT_TOKEN: 'vt' }, address: 'https://v:8200', token: 'vt', tokenVar: 'VAULT_TOKEN' },
  { env: { SEALTRAIL_ADDR: 'http://s:1', VAULT_ADDR: 'http://v:2', SEALTRAIL_TOKEN: 'st', VAULT_TOKEN: 'vt' }, address: 'http://s:1', token: 'st', tokenVar: 'SEALTRAIL_TOKEN' },
  { env: { SEALTRAIL_ADDR: '  ', VAULT_ADDR: 'http://v:2', SEALTRAIL_TOKEN: '', VAULT_TOKEN: ' vt ' }, address: 'http://v:2', token: 'vt', tokenVar: 'VAULT_TOKEN' },
  // A Vault shell (VAULT_ADDR, VAULT_TOKEN) with SEALTRAIL_ADDR added: the Vault token is for
  // VAULT_ADDR's server, and is not sent to another.
  { env: { SEALTRAIL_ADDR: 'http://s:1', VAULT_ADDR: 'https://vault.prod:8200', VAULT_TOKEN: 'vt' }, address: 'http://s:1', token: undefined, tokenVar: undefined },
  { env: { SEALTRAIL_ADDR: 'http://s:1/', VAULT_ADDR: 'http://s:1', VAULT_TOKEN: 'vt' }, address: 'http://s:1/', token: 'vt', tokenVar: 'VAULT_TOKEN' },
  { env: { SEALTRAIL_ADDR: 'http://s:1', VAULT_TOKEN: 'vt' }, address: 'http://s:1', token: 'vt', tokenVar: 'VAULT_TOKEN' },
];

for (const [i, tc] of cases.entries()) {
  test(`environment case ${i}`, () => {
    assert.equal(addressFromEnv(tc.env), tc.address);
    assert.equal(tokenFromEnv(tc.env), tc.token);
    assert.equal(tokenEnvName(tc.env), tc.tokenVar);
  });
}
