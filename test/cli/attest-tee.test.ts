/** `sealtrail attest verify` on real SEV-SNP, TDX and SGX evidence: claims, TCB status, exit codes. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { runIn } from './harness.js';

const path = (p: string) => fileURLToPath(new URL(`../fixtures/${p}`, import.meta.url));
const SNP = path('snp/01_gosevguest_milan_v2_vcek/attestation.bin');
const VCEK = path('snp/01_gosevguest_milan_v2_vcek/vcek.testcer');
const TDX = path('tdx/01_phala_tdx_v4_uptodate/tdx_quote');
const TDX_COLLATERAL = path('tdx/01_phala_tdx_v4_uptodate/tdx_quote_collateral.json');
const SGX = path('sgx/01_phala_sgx_v3/sgx_quote');
const SGX_COLLATERAL = path('sgx/01_phala_sgx_v3/sgx_quote_collateral.json');
const AT = '2025-07-01T00:00:00Z';

test('snp: the VCEK-signed report verifies with its certificate and prints measurement, chip id and TCB', async () => {
  const r = await runIn(['attest', 'verify', '--platform', 'snp', '--at', AT, '--cert', VCEK, '--allow-debug', '--format', 'json', SNP]);
  assert.equal(r.code, 0, r.stderr);
  const claims = JSON.parse(r.stdout);
  assert.equal(claims.enclave_id, 'b07af9620f3b839b47996422ddec6058338951d984e312115131ea82705eaf5b6bdf8a9ece31a5a608eb0cf2e4872b01');
  assert.equal(claims.measurements.chip_id, '3ac3fe21e13fb0990eb28a802e3fb6a29483a6b0753590c951bdd3b8e53786184ca39e359669a2b76a1936776b564ea464cdce40c05f63c9b610c5068b006b5d');
  assert.deepEqual(claims.snp_tcb, { bootloader: 2, tee: 0, snp: 5, microcode: 68 });
  assert.equal(claims.nonce, '0102030405' + '00'.repeat(27));
  const debug = await runIn(['attest', 'verify', '--platform', 'snp', '--at', AT, '--cert', VCEK, SNP]);
  assert.equal(debug.code, 1);
  assert.match(debug.stderr, /^Verification failed \(debug_not_allowed\)/);
});

test('tdx: the quote verifies with its collateral, UpToDate; without collateral or the Intel root it fails', async () => {
  const ok = await runIn(['attest', 'verify', '--platform', 'tdx', '--at', AT, '--collateral', TDX_COLLATERAL, TDX]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /tcb_status\s+UpToDate\n/);
  assert.match(ok.stdout, /mr_td\s+91eb2b44d141d4ece09f0c75c2c53d247a3c68edd7fafe8a3520c942a604a407de03ae6dc5f87f27428b2538873118b7\n/);
  const bare = await runIn(['attest', 'verify', '--platform', 'tdx', '--at', AT, TDX]);
  assert.equal(bare.code, 1);
  assert.match(bare.stderr, /^Verification failed \(collateral_missing\)/);
  const noRoot = await runIn(['attest', 'verify', '--platform', 'tdx', '--at', AT, '--collateral', TDX_COLLATERAL, '--no-vendor-root', TDX]);
  assert.match(noRoot.stderr, /^Verification failed \(untrusted_root\)/);
  const late = await runIn(['attest', 'verify', '--platform', 'tdx', '--at', '2025-07-21T00:00:00Z', '--collateral', TDX_COLLATERAL, TDX]);
  assert.match(late.stderr, /^Verification failed \(collateral_expired\)/);
});

test('sgx: ConfigurationAndSWHardeningNeeded prints its claims and fails unless accepted', async () => {
  const refused = await runIn(['attest', 'verify', '--platform', 'sgx', '--at', AT, '--collateral', SGX_COLLATERAL, '--format', 'json', SGX]);
  assert.equal(refused.code, 3);
  const claims = JSON.parse(refused.stdout);
  assert.equal(claims.tcb_status, 'ConfigurationAndSWHardeningNeeded');
  assert.deepEqual(claims.advisory_ids, ['INTEL-SA-00289', 'INTEL-SA-00615']);
  assert.equal(claims.signer_id, '815f42f11cf64430c30bab7816ba596a1da0130c3b028b673133a66cf9a3e0e6');
  assert.match(refused.stderr, /tcb_not_accepted.*ConfigurationAndSWHardeningNeeded/);
  const accepted = await runIn(['attest', 'verify', '--platform', 'sgx', '--at', AT, '--collateral', SGX_COLLATERAL, '--accept-tcb', 'UpToDate,ConfigurationAndSWHardeningNeeded', SGX]);
  assert.equal(accepted.code, 0, accepted.stderr);
  assert.match(accepted.stdout, /advisory_ids\s+INTEL-SA-00289,INTEL-SA-00615\n/);
  assert.match(accepted.stdout, /mr_enclave\s+33d8736db756ed4997e04ba358d27833188f1932ff7b1d156904d3f560452fbb\n/);
});

test('attest verify refuses flags of another platform and unknown TCB statuses as usage errors', async () => {
  for (const argv of [
    ['--platform', 'tdx', '--cert', VCEK, TDX],
    ['--platform', 'snp', '--collateral', TDX_COLLATERAL, SNP],
    ['--platform', 'sgx', '--accept-tcb', 'Fine', SGX],
    ['--platform', 'sev', SNP],
  ]) {
    const r = await runIn(['attest', 'verify', ...argv]);
    assert.notEqual(r.code, 0, argv.join(' '));
    assert.equal(r.stdout, '');
  }
});

test('an unknown platform is refused naming the platforms there are', async () => {
  const r = await runIn(['attest', 'verify', '--platform', 'sev', SNP]);
  assert.deepEqual([r.code, r.stderr], [1, 'unsupported platform "sev": one of nitro, snp, tdx, sgx\n']);
});
