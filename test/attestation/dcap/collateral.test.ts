import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import {
  COLLATERAL_KEYS, INTEL_SGX_ROOT_CA_PEM, intelSgxRootCa, MAX_COLLATERAL_ITEM_CHARS, olderCollateral, parseCollateral,
} from '../../../src/attestation/dcap/index.js';
import { SealtrailError } from '../../../src/errors/index.js';
import { sgxFixture, tdxFixture } from './helpers.js';

test('the embedded Intel SGX Root CA is the fixtures\' TrustedRootCA.der and matches its pin', () => {
  for (const f of [tdxFixture(), sgxFixture()]) assert.ok(intelSgxRootCa().raw.equals(f.rootDer));
  assert.ok(new X509Certificate(INTEL_SGX_ROOT_CA_PEM).raw.equals(tdxFixture().rootDer));
  assert.equal(intelSgxRootCa().subject.split('\n').find((l) => l.startsWith('CN=')), 'CN=Intel SGX Root CA');
});

test('parseCollateral keeps exactly the nine items of both fixtures\' documents', () => {
  for (const f of [tdxFixture(), sgxFixture()]) {
    const parsed = parseCollateral({ ...f.collateral, extra: 'ignored' });
    assert.deepEqual(Object.keys(parsed).sort(), [...COLLATERAL_KEYS].sort());
    assert.deepEqual(parsed, f.collateral);
  }
});

function rejects(json: unknown, pattern: RegExp) {
  assert.throws(() => parseCollateral(json), (err: unknown) => {
    assert.ok(err instanceof SealtrailError);
    assert.equal(err.kind, 'invalid');
    assert.equal(err.code, 'evidence_collateral_invalid');
    assert.match(err.message, pattern);
    return true;
  });
}

test('parseCollateral refuses what is not the document, naming the item and never echoing its value', () => {
  const good = tdxFixture().collateral;
  rejects(null, /must be a JSON object/);
  rejects([good], /must be a JSON object/);
  rejects('text', /must be a JSON object/);
  for (const key of COLLATERAL_KEYS) {
    const { [key]: _dropped, ...missing } = good;
    rejects(missing, new RegExp(`${key} must be a non-empty string`));
    rejects({ ...good, [key]: 42 }, new RegExp(`${key} must be a non-empty string`));
    rejects({ ...good, [key]: '' }, new RegExp(`${key} must be a non-empty string`));
    rejects({ ...good, [key]: 'a'.repeat(MAX_COLLATERAL_ITEM_CHARS + 2) }, new RegExp(`${key} is longer than 262144 characters`));
  }
  rejects({ ...good, pck_crl: 'SECRET-not-hex' }, /^DCAP collateral: pck_crl must be hex$/);
  rejects({ ...good, tcb_info_signature: 'abc' }, /tcb_info_signature must be hex/);
  rejects(Object.create({ ...good }), /must be a non-empty string/); // inherited keys do not count
});

/** The texts JSON.parse is handed while `run` runs. */
function parsedTexts(run: () => void): string[] {
  const seen: string[] = [];
  const parse = JSON.parse;
  JSON.parse = ((text: string, reviver?: Parameters<typeof parse>[1]) => (seen.push(text), parse(text, reviver))) as typeof JSON.parse;
  try {
    run();
  } finally {
    JSON.parse = parse;
  }
  return seen;
}

test('olderCollateral parses no item nested deeper than Intel\'s could before its signature is checked', () => {
  const good = tdxFixture().collateral;
  const deep = `{"tcbEvaluationDataNumber":17,"issueDate":"2025-06-19T10:32:27Z","x":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
  for (const key of ['tcb_info', 'qe_identity'] as const) {
    const seen = parsedTexts(() => assert.equal(olderCollateral({ ...good, [key]: deep }, good), undefined));
    assert.ok(!seen.includes(deep), `${key} was parsed`);
  }
  assert.match(olderCollateral(good, { ...good, tcb_info: good.tcb_info.replace(/"tcbEvaluationDataNumber":\d+/, '"tcbEvaluationDataNumber":999999') }) ?? '', /TCB evaluation data number/);
});
