import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  checkPolicy, intelSgxRootCa, MAX_QUOTE_BYTES, parseQuote, parseSgxReport, parseTdReport, sgxClaims, tdxClaims, verifyDcapQuote,
} from '../../../src/attestation/dcap/index.js';
import { matchQeIdentity, readQeIdentity } from '../../../src/attestation/dcap/qe-identity.js';
import { readTcbInfo, type TcbInfo, type TcbLevel } from '../../../src/attestation/dcap/tcb-info.js';
import { converge, sgxTcb, tdxTcb } from '../../../src/attestation/dcap/tcb-level.js';
import { parseChainPem } from '../../../src/attestation/dcap/chain.js';
import { pckExtensions, type PckExtensions } from '../../../src/attestation/dcap/pck.js';
import type { TcbStatus } from '../../../src/attestation/types.js';
import { sgxFixture, tdxFixture } from './helpers.js';

const tdx = tdxFixture();
const sgx = sgxFixture();
const quoteOf = (bytes: Buffer) => {
  const parsed = parseQuote(bytes);
  assert.ok(parsed.ok, JSON.stringify(parsed));
  return parsed.value;
};
const UP = { status: 'UpToDate' as const, advisoryIds: [] };

test('debug rule on the claims: a TD body with TD_ATTRIBUTES.DEBUG is refused unless allowed', () => {
  const body = Buffer.from(quoteOf(tdx.quote).body);
  assert.equal(checkPolicy(tdxClaims(parseTdReport(body), UP, 0), {}).ok, true);
  body[120] |= 0x01;
  const claims = tdxClaims(parseTdReport(body), UP, 0);
  assert.equal(claims.debug, true);
  assert.deepEqual(checkPolicy(claims, {}), { ok: false, code: 'debug_not_allowed', message: 'debug-mode evidence is not allowed' });
  assert.equal(checkPolicy(claims, { allowDebug: true }).ok, true);
});

test('debug rule on the claims: an SGX report with ATTRIBUTES.DEBUG is refused unless allowed', () => {
  const body = Buffer.from(quoteOf(sgx.quote).body);
  assert.equal(sgxClaims(parseSgxReport(body), UP, 0).debug, false);
  body[48] |= 0x02;
  const claims = sgxClaims(parseSgxReport(body), UP, 0);
  assert.equal(claims.debug, true);
  assert.deepEqual(checkPolicy(claims, {}).ok ? null : 'refused', 'refused');
  assert.equal(checkPolicy(claims, { allowDebug: true }).ok, true);
});

test('the nonce rule runs before the debug rule and compares all 32 bytes', () => {
  const claims = sgxClaims(parseSgxReport(quoteOf(sgx.quote).body), UP, 0);
  const nonce = Buffer.from(claims.nonce!);
  assert.equal(checkPolicy(claims, { expectedNonce: nonce }).ok, true);
  nonce[31] ^= 1;
  assert.deepEqual(checkPolicy({ ...claims, debug: true }, { expectedNonce: nonce }).ok ? null : 'nonce', 'nonce');
});

test('a QE or TDX module status caps the platform status as Intel\'s QVL does', () => {
  const table: Array<[TcbStatus, TcbStatus, TcbStatus]> = [
    ['UpToDate', 'UpToDate', 'UpToDate'],
    ['UpToDate', 'OutOfDate', 'OutOfDate'],
    ['SWHardeningNeeded', 'OutOfDate', 'OutOfDate'],
    ['ConfigurationNeeded', 'OutOfDate', 'OutOfDateConfigurationNeeded'],
    ['ConfigurationAndSWHardeningNeeded', 'OutOfDate', 'OutOfDateConfigurationNeeded'],
    ['OutOfDateConfigurationNeeded', 'OutOfDate', 'OutOfDateConfigurationNeeded'],
    ['UpToDate', 'Revoked', 'Revoked'],
    ['Revoked', 'UpToDate', 'Revoked'],
    ['ConfigurationNeeded', 'UpToDate', 'ConfigurationNeeded'],
  ];
  for (const [platform, component, expected] of table) assert.equal(converge(platform, component), expected, `${platform} + ${component}`);
});

const svns = (...head: number[]) => [...head, ...Array(16 - head.length).fill(0)];
const pck: PckExtensions = { components: svns(5, 5), pcesvn: 10, cpusvn: new Uint8Array(16), pceId: '0000', fmspc: 'AABBCCDDEEFF' };
const level = (sgxHead: number[], pcesvn: number, status: TcbStatus, advisoryIds: string[] = [], tdxHead?: number[]): TcbLevel =>
  ({ sgxComponents: svns(...sgxHead), pcesvn, status, advisoryIds, tdxComponents: tdxHead ? svns(...tdxHead) : undefined });
const signer = { mrsigner: Buffer.alloc(48), attributes: Buffer.alloc(8), attributesMask: Buffer.alloc(8, 0xff) };

test('SGX level matching: the first level every component and PCESVN reach', () => {
  const info: TcbInfo = { id: 'SGX', fmspc: pck.fmspc, pceId: '0000', tdxModuleIdentities: [], levels: [
    level([6, 5], 10, 'UpToDate'),
    level([5, 5], 11, 'SWHardeningNeeded', ['A']),
    level([5, 5], 10, 'OutOfDate', ['B', 'A']),
    level([0, 0], 0, 'Revoked'),
  ] };
  assert.deepEqual(sgxTcb(info, pck), { ok: true, value: { status: 'OutOfDate', advisoryIds: ['B', 'A'] } });
  assert.deepEqual(sgxTcb({ ...info, levels: info.levels.slice(0, 2) }, pck).ok ? null : 'mismatch', 'mismatch');
});

function tdBody(teeTcbSvn: number[], teeTcbSvn2?: number[]) {
  const body = Buffer.alloc(teeTcbSvn2 ? 648 : 584);
  Buffer.from(svns(...teeTcbSvn)).copy(body, 0);
  if (teeTcbSvn2) Buffer.from(svns(...teeTcbSvn2)).copy(body, 584);
  return parseTdReport(body);
}

const tdxInfo = (identityLevels: TcbInfo['tdxModuleIdentities'][number]['levels']): TcbInfo => ({
  id: 'TDX', fmspc: pck.fmspc, pceId: '0000', tdxModule: signer,
  tdxModuleIdentities: [{ id: 'TDX_01', ...signer, levels: identityLevels }],
  levels: [level([5, 5], 10, 'UpToDate', [], [5, 0, 3]), level([5, 5], 10, 'OutOfDate', ['SA-1'], [0, 0, 2])],
});

test('TDX level matching: bytes 0..1 of TEE_TCB_SVN are the module\'s when its major version is set', () => {
  const info = tdxInfo([{ isvsvn: 4, status: 'UpToDate', advisoryIds: [] }, { isvsvn: 2, status: 'OutOfDate', advisoryIds: ['SA-M'] }]);
  // Version 1, SVN 6: bytes 0..1 skipped, byte 2 = 3 reaches the first level; the module is up to date.
  assert.deepEqual(tdxTcb(info, pck, tdBody([6, 1, 3])), { ok: true, value: { status: 'UpToDate', advisoryIds: [] } });
  // Byte 2 = 2: the second level.
  assert.deepEqual(tdxTcb(info, pck, tdBody([6, 1, 2])), { ok: true, value: { status: 'OutOfDate', advisoryIds: ['SA-1'] } });
  // Module SVN 3: the module is out of date, which caps an up-to-date platform.
  assert.deepEqual(tdxTcb(info, pck, tdBody([3, 1, 3])), { ok: true, value: { status: 'OutOfDate', advisoryIds: ['SA-M'] } });
  // Module SVN 1: below every module level.
  assert.equal(tdxTcb(info, pck, tdBody([1, 1, 3])).ok, false);
  // No identity for version 2.
  const v2 = tdxTcb(info, pck, tdBody([6, 2, 3]));
  assert.deepEqual(v2.ok ? null : v2.code, 'tcb_mismatch');
  // Version 0: all 16 bytes compared (5 ≥ 5, 0 ≥ 0, 3 ≥ 3), the tdxModule signer applies.
  assert.deepEqual(tdxTcb(info, pck, tdBody([5, 0, 3])), { ok: true, value: { status: 'UpToDate', advisoryIds: [] } });
  assert.deepEqual(tdxTcb(info, pck, tdBody([4, 0, 3])), { ok: true, value: { status: 'OutOfDate', advisoryIds: ['SA-1'] } });
});

test('TDX module identity: MRSIGNERSEAM and SEAM_ATTRIBUTES must match', () => {
  const info = tdxInfo([{ isvsvn: 4, status: 'UpToDate', advisoryIds: [] }]);
  const body = Buffer.alloc(584);
  Buffer.from(svns(6, 1, 3)).copy(body, 0);
  body[64] = 1; // MRSIGNERSEAM
  const wrongSigner = tdxTcb(info, pck, parseTdReport(body));
  assert.deepEqual(wrongSigner.ok ? null : wrongSigner.code, 'tcb_mismatch');
  body[64] = 0;
  body[112] = 1; // SEAM_ATTRIBUTES under an all-ones mask
  assert.equal(tdxTcb(info, pck, parseTdReport(body)).ok, false);
});

test('TD 1.5: TEE_TCB_SVN2 is evaluated too and the worse status is kept', () => {
  const info = tdxInfo([{ isvsvn: 4, status: 'UpToDate', advisoryIds: [] }]);
  assert.deepEqual(tdxTcb(info, pck, tdBody([6, 1, 3], [6, 1, 2])), { ok: true, value: { status: 'OutOfDate', advisoryIds: ['SA-1'] } });
  assert.deepEqual(tdxTcb(info, pck, tdBody([6, 1, 3], [6, 1, 3])), { ok: true, value: { status: 'UpToDate', advisoryIds: [] } });
  assert.deepEqual(tdxTcb(info, pck, tdBody([6, 1, 3], [0, 0, 0])), { ok: true, value: { status: 'UpToDate', advisoryIds: [] } });
});

test('the real TCB infos read as v3 of their kind; the wrong kind is refused', () => {
  const t = readTcbInfo(JSON.parse(tdx.collateral.tcb_info), 'TDX');
  assert.equal(t.fmspc, 'B0C06F000000');
  assert.equal(t.levels.length, 2);
  assert.deepEqual(t.tdxModuleIdentities.map((m) => m.id), ['TDX_03', 'TDX_01']);
  assert.equal(readTcbInfo(JSON.parse(sgx.collateral.tcb_info), 'SGX').levels.length, 11);
  assert.throws(() => readTcbInfo(JSON.parse(tdx.collateral.tcb_info), 'SGX'), /id is not "SGX"/);
  assert.throws(() => readQeIdentity(JSON.parse(tdx.collateral.qe_identity), 'QE'), /id is not "QE"/);
});

test('QE identity matching on the real SGX QE report: UpToDate; wrong signer, product or a too-low SVN is tcb_mismatch', () => {
  const report = parseSgxReport(quoteOf(sgx.quote).qeReport);
  const identity = readQeIdentity(JSON.parse(sgx.collateral.qe_identity), 'QE');
  assert.deepEqual(matchQeIdentity(report, identity), { ok: true, value: { status: 'UpToDate', advisoryIds: [] } });
  const code = (r: ReturnType<typeof matchQeIdentity>) => (r.ok ? null : r.code);
  assert.equal(code(matchQeIdentity(report, { ...identity, mrsigner: Buffer.alloc(32) })), 'tcb_mismatch');
  assert.equal(code(matchQeIdentity(report, { ...identity, isvprodid: 2 })), 'tcb_mismatch');
  assert.equal(code(matchQeIdentity(report, { ...identity, attributes: Buffer.alloc(16, 0xff) })), 'tcb_mismatch');
  assert.equal(code(matchQeIdentity(report, { ...identity, miscselect: Buffer.from('00000001', 'hex') })), 'tcb_mismatch');
  const high = identity.levels.map((l) => ({ ...l, isvsvn: l.isvsvn + 1000 }));
  assert.equal(code(matchQeIdentity(report, { ...identity, levels: high })), 'tcb_mismatch');
  const outOfDate = [{ isvsvn: report.isvSvn + 1, status: 'UpToDate' as const, advisoryIds: [] }, { isvsvn: 0, status: 'OutOfDate' as const, advisoryIds: ['SA-Q'] }];
  assert.deepEqual(matchQeIdentity(report, { ...identity, levels: outOfDate }), { ok: true, value: { status: 'OutOfDate', advisoryIds: ['SA-Q'] } });
});

/** The TDX fixture rewritten as a v5 quote with a body descriptor (its signature no longer covers it). */
function asV5(type: number, declaredSize: number, extraBody = 0): Buffer {
  const header = Buffer.from(tdx.quote.subarray(0, 48));
  header.writeUInt16LE(5, 0);
  const descriptor = Buffer.alloc(6);
  descriptor.writeUInt16LE(type, 0);
  descriptor.writeUInt32LE(declaredSize, 2);
  return Buffer.concat([header, descriptor, tdx.quote.subarray(48, 48 + 584), Buffer.alloc(extraBody), tdx.quote.subarray(48 + 584)]);
}

test('v5 quotes: TD 1.0 and TD 1.5 bodies parse by their descriptor; a wrong size or type is malformed', () => {
  const v10 = quoteOf(asV5(2, 584));
  assert.equal(v10.version, 5);
  assert.equal(v10.bodyType, 2);
  assert.equal(v10.signedBytes.length, 48 + 6 + 584);
  const v15 = quoteOf(asV5(3, 648, 64));
  assert.equal(v15.body.length, 648);
  assert.equal(parseTdReport(v15.body).teeTcbSvn2?.length, 16);
  assert.equal(v15.pckChainPem, v10.pckChainPem);
  for (const bad of [asV5(3, 584), asV5(2, 648), asV5(1, 384), asV5(9, 584)]) assert.equal(parseQuote(bad).ok, false);
  const result = verifyDcapQuote('tdx', asV5(2, 584), { trustedRoots: [intelSgxRootCa()], now: tdx.now, collateral: tdx.collateral });
  assert.deepEqual(result.ok ? null : result.code, 'bad_signature');
});

test('headers that are not an ECDSA DCAP quote are malformed', () => {
  const patched = (offset: number, value: number) => {
    const copy = Buffer.from(tdx.quote);
    copy.writeUInt16LE(value, offset);
    return copy;
  };
  const refused = (bytes: Buffer, pattern: RegExp) => {
    const parsed = parseQuote(bytes);
    assert.match(parsed.ok ? 'accepted' : parsed.message, pattern);
  };
  refused(patched(0, 6), /version 6 is not supported/);
  refused(patched(0, 3), /version 3 quote must be an SGX quote/);
  refused(patched(2, 3), /not ECDSA P-256/);
  refused(patched(4, 0x80), /neither SGX .* nor TDX/);
  refused(Buffer.alloc(MAX_QUOTE_BYTES + 1), /larger than/);
  const longSig = Buffer.from(tdx.quote);
  longSig.writeUInt32LE(0xffffffff, 48 + 584);
  refused(longSig, /signature data runs past the end/);
});

test('the PCK certificates\' SGX extensions: FMSPC, PCE-ID and the 16 TCB components with PCESVN', () => {
  const leaf = (bytes: Buffer) => parseChainPem(quoteOf(bytes).pckChainPem)![0];
  const t = pckExtensions(leaf(tdx.quote).raw);
  assert.equal(t.fmspc, 'B0C06F000000');
  assert.equal(t.pceId, '0000');
  assert.equal(t.components.length, 16);
  assert.equal(t.cpusvn.length, 16);
  assert.equal(pckExtensions(leaf(sgx.quote).raw).fmspc, '00A067110000');
  assert.throws(() => pckExtensions(intelSgxRootCa().raw), /no SGX extensions/);
});
