import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SealtrailError } from '../../src/errors/index.js';
import { kmsError } from '../../src/kms/errors.js';
import { withAuditSafeText } from '../../src/kms/audit-text.js';

const audited = (err: unknown) => (err as SealtrailError).auditText;

test('request values in a KMS error message are replaced in its audit text; the client message stays AWS\'s', () => {
  const err = kmsError('NotFoundException', "Alias 'arn:aws:kms:us-east-1:111122223333:alias/payroll' is not found.");
  const safe = withAuditSafeText(err, { KeyId: 'alias/payroll', GrantTokens: ['tok'] }) as SealtrailError;
  assert.equal(safe.message, err.message);
  assert.equal(safe.code, 'NotFoundException');
  assert.equal(audited(safe), "Alias 'arn:aws:kms:us-east-1:111122223333:***' is not found.");
  assert.equal(err.auditMessage, undefined, 'the given error is not modified');

  // Nested values, and the longest first so a value inside another goes with it.
  const nested = kmsError('ValidationException', "Value 'tenant-acme-eu' at 'x' and 'tenant-acme'");
  assert.equal(audited(withAuditSafeText(nested, { EncryptionContext: { t: 'tenant-acme' }, Tags: [{ TagValue: 'tenant-acme-eu' }] })), "Value '***' at 'x' and '***'");
});

test('a short request value in the message leaves only the error type; no match leaves the error as it is', () => {
  assert.equal(audited(withAuditSafeText(kmsError('NotFoundException', "Key 'k9' does not exist"), { KeyId: 'k9' })), 'NotFoundException');
  const plain = kmsError('DisabledException', 'arn:aws:kms:us-east-1:111122223333:key/1 is disabled.');
  assert.equal(withAuditSafeText(plain, { KeyId: 'alias/other' }), plain);
  const denied = kmsError('AccessDeniedException', 'User: arn:aws:iam::111122223333:user/sealtrail-token/hmYdZ3b2 is not authorized to perform: kms:Decrypt');
  assert.equal(audited(withAuditSafeText(denied, {}, ['hmYdZ3b2'])), 'User: arn:aws:iam::111122223333:user/sealtrail-token/*** is not authorized to perform: kms:Decrypt');
  const other = new Error('not a SealtrailError');
  assert.equal(withAuditSafeText(other, { KeyId: 'x' }), other);
});
