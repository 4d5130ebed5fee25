/** auth/apm/config/<platform>: vendor roots, SNP CRLs and stored DCAP collateral. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { SealtrailError } from '../../../src/errors/index.js';
import { harness } from './helpers.js';

const collateral = JSON.parse(readFileSync(new URL('../../fixtures/tdx/01_phala_tdx_v4_uptodate/tdx_quote_collateral.json', import.meta.url), 'utf8'));
const pckCrlPem = () => {
  const b64 = Buffer.from(collateral.pck_crl, 'hex').toString('base64');
  return `-----BEGIN X509 CRL-----\n${b64.match(/.{1,64}/g)!.join('\n')}\n-----END X509 CRL-----\n`;
};
const invalid = (code: string) => (err: unknown) => err instanceof SealtrailError && err.kind === 'invalid' && err.code === code;

test('each platform shows its own settings; vendor roots are on by default', async () => {
  const h = await harness();
  assert.deepEqual((await h.call('read', 'config/snp'))!.data, { trusted_roots_pem: '', include_vendor_root: true, allow_debug: false, crls: [] });
  assert.deepEqual((await h.call('read', 'config/tdx'))!.data, { trusted_roots_pem: '', include_vendor_root: true, allow_debug: false, collateral: null });
  assert.deepEqual((await h.call('read', 'config/nitro'))!.data, { trusted_roots_pem: '', include_vendor_root: true, allow_debug: false, include_aws_root: true, max_evidence_age: 300 });
});

test('DCAP collateral is stored as given (object or JSON text) and cleared with ""', async () => {
  const h = await harness();
  await h.call('update', 'config/sgx', { collateral: JSON.stringify(collateral) });
  assert.deepEqual((await h.call('read', 'config/sgx'))!.data!.collateral, collateral);
  await h.call('update', 'config/sgx', { allow_debug: true });
  assert.deepEqual((await h.call('read', 'config/sgx'))!.data!.collateral, collateral, 'other updates keep it');
  await h.call('update', 'config/sgx', { collateral: '' });
  assert.equal((await h.call('read', 'config/sgx'))!.data!.collateral, null);
});

test('SNP CRLs are kept as base64 DER, from PEM or base64', async () => {
  const h = await harness();
  const der = Buffer.from(collateral.pck_crl, 'hex').toString('base64');
  await h.call('update', 'config/snp', { crls: [pckCrlPem(), der] });
  assert.deepEqual((await h.call('read', 'config/snp'))!.data!.crls, [der, der]);
});

test('settings of another platform, bad collateral and bad CRLs are refused with a 400 that echoes nothing', async () => {
  const h = await harness();
  const cases: Array<[string, Record<string, unknown>, string]> = [
    ['nitro', { collateral }, 'invalid_field'],
    ['snp', { collateral }, 'invalid_field'],
    ['tdx', { crls: [] }, 'invalid_field'],
    ['sgx', { max_evidence_age: '1m' }, 'invalid_field'],
    ['tdx', { collateral: '{secret-looking' }, 'invalid_field'],
    ['tdx', { collateral: { ...collateral, pck_crl: 'zz' } }, 'evidence_collateral_invalid'],
    ['tdx', { collateral: { tcb_info: 'x' } }, 'evidence_collateral_invalid'],
    ['snp', { crls: ['not a crl at all'] }, 'invalid_field'],
    ['snp', { crls: [Buffer.from('hello').toString('base64')] }, 'invalid_field'],
    ['snp', { crls: Array(9).fill(pckCrlPem()) }, 'invalid_field'],
    ['snp', { crls: 7 }, 'invalid_field'],
  ];
  for (const [platform, data, code] of cases) {
    await assert.rejects(h.call('update', `config/${platform}`, data), (err: unknown) => {
      assert.ok(invalid(code)(err), `${platform} ${JSON.stringify(data).slice(0, 60)}: ${String(err)}`);
      assert.doesNotMatch((err as Error).message, /secret-looking|hello/);
      return true;
    });
  }
});
