/** Roles for SEV-SNP, TDX and SGX: their named measurements and TCB rules, stored and matched. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SealtrailError } from '../../../src/errors/index.js';
import type { AttestationClaims } from '../../../src/attestation/index.js';
import { matchRoles } from '../../../src/auth/apm/match.js';
import { roleFromRequest } from '../../../src/auth/apm/roles.js';
import { harness } from './helpers.js';

const invalid = (err: unknown) => err instanceof SealtrailError && err.kind === 'invalid' && err.code === 'invalid_field';
const H48 = (b: string) => b.repeat(48);
const H32 = (b: string) => b.repeat(32);

function claims(platform: AttestationClaims['platform'], extra: Partial<AttestationClaims>): AttestationClaims {
  return {
    platform, signerId: H48('00'), enclaveId: H48('11'), debug: false, measurements: {}, timestamp: 0,
    nonce: null, publicKey: null, userData: null, ...extra,
  };
}

test('snp, tdx and sgx roles store their named measurements and TCB rules, and read back with both names', async () => {
  const h = await harness();
  await h.call('update', 'role/snp', {
    platform: 'snp', measurement: H48('AB'), host_data: H32('01'), min_tcb: { bootloader: 2, tee: '0', snp: 5, microcode: 68 }, vmpl: 0, token_policies: 'p',
  });
  assert.deepEqual((await h.call('read', 'role/snp'))!.data, {
    platform: 'snp', enclave_id: H48('ab'), measurement: H48('ab'), host_data: H32('01'),
    min_tcb: { bootloader: 2, tee: 0, snp: 5, microcode: 68 }, vmpl: 0, allow_migration_agent: false, token_policies: ['p'], token_ttl: 0, token_num_uses: 0,
  });
  await h.call('update', 'role/tdx', { platform: 'tdx', mr_td: H48('91'), rtmr0: H48('44'), rtmr2: H48('52'), mr_config_id: H48('00'), token_policies: 'p' });
  assert.deepEqual((await h.call('read', 'role/tdx'))!.data, {
    platform: 'tdx', enclave_id: H48('91'), mr_td: H48('91'), rtmr0: H48('44'), rtmr2: H48('52'), mr_config_id: H48('00'),
    accepted_tcb_statuses: ['UpToDate', 'SWHardeningNeeded'], token_policies: ['p'], token_ttl: 0, token_num_uses: 0,
  });
  await h.call('update', 'role/sgx', {
    platform: 'sgx', signer_id: H32('81'), isv_prod_id: '0', min_isv_svn: 1, accepted_tcb_statuses: 'UpToDate,ConfigurationAndSWHardeningNeeded', min_tcb_status: 'OutOfDate', token_policies: 'p',
  });
  assert.deepEqual((await h.call('read', 'role/sgx'))!.data, {
    platform: 'sgx', signer_id: H32('81'), mr_signer: H32('81'), isv_prod_id: '0', min_isv_svn: 1,
    accepted_tcb_statuses: ['UpToDate', 'ConfigurationAndSWHardeningNeeded'], min_tcb_status: 'OutOfDate', token_policies: ['p'], token_ttl: 0, token_num_uses: 0,
  });
});

test('roles that pin nothing, mix platforms or ask for impossible TCB rules are refused with a 400', async () => {
  const h = await harness();
  const cases: Array<Record<string, unknown>> = [
    { platform: 'snp' },                                          // pins no workload
    { platform: 'snp', id_key_digest: H48('00') },                // a zero signer pins nothing
    { platform: 'tdx', mr_owner: H48('00'), rtmr0: H48('44') },
    { platform: 'tdx', mr_owner: H48('11') },                     // chosen by the host, not measured
    { platform: 'tdx', signer_id: H48('11'), mr_config_id: H48('22'), rtmr0: H48('44') },
    { platform: 'sgx', mr_enclave: H32('aa'), enclave_id: H32('bb') }, // two names, two values
    { platform: 'snp', measurement: H48('ab'), pcrs: { 0: H48('ab') } },
    { platform: 'nitro', signer_id: H48('cd'), mr_td: H48('91') },
    { platform: 'snp', measurement: H48('ab'), accepted_tcb_statuses: 'UpToDate' },
    { platform: 'tdx', mr_td: H48('91'), rtmr1: H48('51'), accepted_tcb_statuses: 'Revoked' },
    { platform: 'tdx', mr_td: H48('91'), rtmr1: H48('51'), accepted_tcb_statuses: 'Fine' },
    { platform: 'sgx', mr_signer: H32('81'), min_tcb_status: 'Revoked' },
    { platform: 'snp', measurement: H48('ab'), min_tcb: { microcode: 256 } },
    { platform: 'snp', measurement: H48('ab'), min_tcb: { speed: 1 } },
    { platform: 'snp', measurement: H48('ab'), vmpl: 4 },
    { platform: 'tdx', mr_td: H48('91'), rtmr1: H48('51'), allow_migration_agent: true },
    { platform: 'sgx', mr_signer: H32('81'), isv_prod_id: 'x' },
    { platform: 'tdx', mr_td: 'not hex', rtmr1: H48('51') },
  ];
  for (const data of cases) await assert.rejects(h.call('update', 'role/r', data), invalid, JSON.stringify(data));
});

test('an SNP role admits only reports at or above its minimum TCB and from its VMPL', () => {
  const role = roleFromRequest('r', { platform: 'snp', measurement: H48('11'), min_tcb: { bootloader: 2, snp: 5, microcode: 68 }, vmpl: 0, token_policies: 'p' });
  const at = (tcb: { bootloader: number; tee: number; snp: number; microcode: number }, vmpl = 0) =>
    matchRoles([role], claims('snp', { snpTcb: tcb, vmpl, migrationAgent: false, measurements: { measurement: H48('11') } }), false);
  assert.equal(at({ bootloader: 2, tee: 0, snp: 5, microcode: 68 }).ok, true);
  assert.equal(at({ bootloader: 3, tee: 1, snp: 6, microcode: 70 }).ok, true);
  assert.deepEqual(at({ bootloader: 2, tee: 0, snp: 5, microcode: 67 }), { ok: false, reason: 'tcb_not_accepted' });
  assert.deepEqual(at({ bootloader: 2, tee: 0, snp: 5, microcode: 68 }, 1), { ok: false, reason: 'tcb_not_accepted' });
  assert.deepEqual(matchRoles([role], claims('snp', { enclaveId: H48('12'), snpTcb: { bootloader: 9, tee: 9, snp: 9, microcode: 99 }, vmpl: 0 }), false), { ok: false, reason: 'no_matching_role' });
});

test('an SNP guest whose policy allows a migration agent (MIGRATE_MA) is admitted only by a role that allows one', () => {
  const strict = roleFromRequest('strict', { platform: 'snp', measurement: H48('11'), token_policies: 'p' });
  const tolerant = roleFromRequest('tolerant', { platform: 'snp', measurement: H48('11'), allow_migration_agent: true, token_policies: 'q' });
  const report = (migrationAgent: boolean | undefined) => claims('snp', { vmpl: 0, migrationAgent, measurements: { measurement: H48('11') } });
  assert.deepEqual(matchRoles([strict], report(true), false), { ok: false, reason: 'tcb_not_accepted' });
  assert.deepEqual(matchRoles([strict], report(undefined), false), { ok: false, reason: 'tcb_not_accepted' }, 'evidence that does not say fails the rule');
  assert.equal(matchRoles([strict], report(false), false).ok, true);
  const both = matchRoles([strict, tolerant], report(true), false);
  assert.deepEqual(both.ok ? both.grant.roles : both.reason, ['tolerant']);
});

test('TDX/SGX roles admit the accepted TCB statuses (default UpToDate, SWHardeningNeeded) no worse than their minimum', () => {
  const plain = roleFromRequest('plain', { platform: 'tdx', mr_td: H48('11'), rtmr1: H48('51'), token_policies: 'a' });
  const lenient = roleFromRequest('lenient', { platform: 'tdx', mr_td: H48('11'), rtmr0: H48('44'), rtmr1: H48('51'), accepted_tcb_statuses: 'UpToDate,OutOfDate', min_tcb_status: 'OutOfDate', token_policies: 'b' });
  const tdx = (tcbStatus: AttestationClaims['tcbStatus'], rtmr0 = H48('44')) =>
    matchRoles([plain, lenient], claims('tdx', { tcbStatus, measurements: { mr_td: H48('11'), rtmr0, rtmr1: H48('51') } }), false);
  const granted = (m: ReturnType<typeof tdx>) => (m.ok ? m.grant.roles : m.reason);
  assert.deepEqual(granted(tdx('UpToDate')), ['lenient', 'plain']);
  assert.deepEqual(granted(tdx('SWHardeningNeeded')), ['plain']);
  assert.deepEqual(granted(tdx('OutOfDate')), ['lenient']);
  assert.deepEqual(granted(tdx('OutOfDate', H48('45'))), 'tcb_not_accepted');
  assert.deepEqual(granted(tdx('ConfigurationNeeded')), 'tcb_not_accepted');
  assert.deepEqual(granted(tdx(undefined)), 'tcb_not_accepted');

  const sgx = roleFromRequest('sgx', { platform: 'sgx', mr_signer: H32('81'), isv_prod_id: 3, min_isv_svn: 2, accepted_tcb_statuses: 'ConfigurationAndSWHardeningNeeded', token_policies: 'c' });
  const enclave = (svn: string, prod = '3') => matchRoles([sgx], claims('sgx', {
    signerId: H32('81'), tcbStatus: 'ConfigurationAndSWHardeningNeeded', measurements: { mr_signer: H32('81'), isv_prod_id: prod, isv_svn: svn },
  }), false);
  assert.equal(enclave('2').ok, true);
  assert.deepEqual(enclave('1'), { ok: false, reason: 'tcb_not_accepted' });
  assert.deepEqual(enclave('9', '4'), { ok: false, reason: 'no_matching_role' });
});

test('a tdx role stored without mr_td (one only the host-chosen mr_owner pins) admits nothing, and says what it lacks', () => {
  const ownerOnly = { ...roleFromRequest('r', { platform: 'tdx', mr_td: H48('91'), rtmr1: H48('51'), mr_owner: H48('11'), token_policies: 'p' }), enclaveId: undefined };
  const any = claims('tdx', { signerId: H48('11'), enclaveId: H48('ee'), tcbStatus: 'UpToDate', measurements: { mr_owner: H48('11'), mr_td: H48('ee'), rtmr1: H48('51') } });
  assert.deepEqual(matchRoles([ownerOnly], any, false), { ok: false, reason: 'role_incomplete', lacking: { r: 'mr_td' } });
  const pinned = roleFromRequest('r', { platform: 'tdx', mr_td: H48('ee'), rtmr1: H48('51'), mr_owner: H48('11'), token_policies: 'p' });
  assert.equal(matchRoles([pinned], any, false).ok, true);
});

const TDX_WORKLOAD_RULE = /a tdx role must pin rtmr1, rtmr2 or rtmr3 as well as mr_td/;

test('a tdx role must pin rtmr1, rtmr2 or rtmr3 besides mr_td: MRTD measures only the firmware, so any TD booted from it would match', async () => {
  const h = await harness();
  const firmwareOnly: Array<Record<string, unknown>> = [
    { platform: 'tdx', mr_td: H48('91') },
    { platform: 'tdx', enclave_id: H48('91'), rtmr0: H48('44') },
    { platform: 'tdx', mr_td: H48('91'), rtmr0: H48('44'), mr_owner: H48('11'), mr_config_id: H48('22'), mr_owner_config: H48('33'), accepted_tcb_statuses: 'UpToDate' },
  ];
  for (const data of firmwareOnly) {
    await assert.rejects(h.call('update', 'role/r', { ...data, token_policies: 'p' }), (err: unknown) => {
      assert.ok(invalid(err), String(err));
      assert.match((err as Error).message, TDX_WORKLOAD_RULE);
      assert.doesNotMatch((err as Error).message, /9191|4444/);
      return true;
    }, JSON.stringify(data));
  }
  assert.throws(() => roleFromRequest('r', { platform: 'tdx', mr_td: H48('91'), token_policies: 'p' }), TDX_WORKLOAD_RULE);
  for (const rtmr of ['rtmr1', 'rtmr2', 'rtmr3']) await h.call('update', `role/${rtmr}`, { platform: 'tdx', mr_td: H48('91'), [rtmr]: H48('51'), token_policies: 'p' });
});

test('a tdx role pins the workload: evidence of the same firmware with other RTMRs is not admitted', () => {
  const role = roleFromRequest('r', { platform: 'tdx', mr_td: H48('91'), rtmr1: H48('51'), rtmr2: H48('52'), token_policies: 'p' });
  const td = (rtmr1: string, rtmr2: string) => matchRoles([role], claims('tdx', {
    enclaveId: H48('91'), tcbStatus: 'UpToDate', measurements: { mr_td: H48('91'), rtmr1, rtmr2, rtmr3: H48('00') },
  }), false);
  assert.equal(td(H48('51'), H48('52')).ok, true);
  assert.deepEqual(td(H48('61'), H48('52')), { ok: false, reason: 'no_matching_role' });
  assert.deepEqual(td(H48('51'), H48('62')), { ok: false, reason: 'no_matching_role' });
});

test('a tdx role stored before it had to pin an RTMR admits nothing; its refusal names the roles, not the measurements', () => {
  const legacy = { ...roleFromRequest('legacy', { platform: 'tdx', mr_td: H48('91'), rtmr0: H48('44'), rtmr1: H48('51'), token_policies: 'p' }), measurements: { rtmr0: H48('44') } };
  const other = { ...legacy, name: 'other', enclaveId: H48('92') };
  const td = (rtmr1: string) => claims('tdx', { enclaveId: H48('91'), tcbStatus: 'UpToDate', measurements: { mr_td: H48('91'), rtmr0: H48('44'), rtmr1 } });
  const lacking = { legacy: 'rtmr1, rtmr2 or rtmr3 as well as mr_td' };
  assert.deepEqual(matchRoles([legacy, other], td(H48('51')), false), { ok: false, reason: 'role_incomplete', lacking });
  assert.deepEqual(matchRoles([legacy, other], td(H48('61')), false), { ok: false, reason: 'role_incomplete', lacking });
  assert.deepEqual(matchRoles([other], td(H48('51')), false), { ok: false, reason: 'no_matching_role' });
  const complete = roleFromRequest('complete', { platform: 'tdx', mr_td: H48('91'), rtmr1: H48('51'), token_policies: 'q' });
  const admitted = matchRoles([legacy, complete], td(H48('51')), false);
  assert.deepEqual(admitted.ok ? admitted.grant.roles : admitted, ['complete']);
});
