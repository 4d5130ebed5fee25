/** Encrypt, Decrypt, ReEncrypt. */
import { keyArn } from '../arn.js';
import { kmsError, validationError } from '../errors.js';
import { envelopeForRecipient } from '../../attestation/index.js';
import type { OperationHandler } from './context.js';
import { mergeConditions } from '../policy/index.js';
import { optBlob, optString, reqString } from './input.js';
import { authorize, findKey, rejectDryRun, requireEnabled } from './key-access.js';
import { blobKeyId, checkAlgorithm, checkBlobLength, cryptoConditions, openWithKey, readContext, recipientOf, sealWithKey } from './crypto-common.js';

const MAX_PLAINTEXT = 4096;

export const encrypt: OperationHandler = async (call, svc) => {
  const keyRef = reqString(call.body, 'KeyId');
  const plaintext = optBlob(call.body, 'Plaintext');
  if (!plaintext) throw validationError([{ member: 'plaintext', value: null, constraint: 'Member must not be null' }]);
  if (plaintext.length < 1) throw validationError([{ member: 'plaintext', constraint: 'Member must have length greater than or equal to 1' }]);
  if (plaintext.length > MAX_PLAINTEXT) throw validationError([{ member: 'plaintext', constraint: `Member must have length less than or equal to ${MAX_PLAINTEXT}` }]);
  const context = readContext(call.body);
  checkAlgorithm(call.body);
  const key = await findKey(svc, call, keyRef, { aliases: true });
  authorize(svc, call, key, 'kms:Encrypt', cryptoConditions(context));
  requireEnabled(svc, key);
  rejectDryRun(call);
  const { blob, keyMaterialId } = await sealWithKey(svc, key, plaintext, context);
  call.notes.keyMaterial = { keyMaterialId };
  return { CiphertextBlob: blob.toString('base64'), KeyId: keyArn(svc.location, key.keyId), EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' };
};

export const decrypt: OperationHandler = async (call, svc) => {
  const blob = checkBlobLength(optBlob(call.body, 'CiphertextBlob'), 'ciphertextBlob');
  const context = readContext(call.body);
  checkAlgorithm(call.body);
  const keyRef = optString(call.body, 'KeyId');
  const named = blobKeyId(blob);
  const key = await findKey(svc, call, keyRef ?? named, { aliases: true });
  if (key.keyId !== named) throw kmsError('IncorrectKeyException', 'The key ID in the request does not identify a CMK that can perform this operation.');
  const recipient = recipientOf(call, svc);
  authorize(svc, call, key, 'kms:Decrypt', mergeConditions(cryptoConditions(context), recipient?.conditionContext));
  requireEnabled(svc, key);
  rejectDryRun(call);
  const { plaintext, keyMaterialId } = openWithKey(key, blob, context);
  call.notes.keyMaterial = { keyMaterialId };
  const out: Record<string, unknown> = { KeyId: keyArn(svc.location, key.keyId), EncryptionAlgorithm: 'SYMMETRIC_DEFAULT', KeyMaterialId: keyMaterialId };
  if (recipient) out.CiphertextForRecipient = envelopeForRecipient(recipient.publicKey, plaintext).toString('base64');
  else out.Plaintext = plaintext.toString('base64');
  plaintext.fill(0);
  return out;
};

export const reEncrypt: OperationHandler = async (call, svc) => {
  const blob = checkBlobLength(optBlob(call.body, 'CiphertextBlob'), 'ciphertextBlob');
  const sourceContext = readContext(call.body, 'SourceEncryptionContext');
  const destinationContext = readContext(call.body, 'DestinationEncryptionContext');
  checkAlgorithm(call.body, 'SourceEncryptionAlgorithm');
  checkAlgorithm(call.body, 'DestinationEncryptionAlgorithm');
  const destinationRef = reqString(call.body, 'DestinationKeyId');
  const named = blobKeyId(blob);
  const sourceRef = optString(call.body, 'SourceKeyId');
  const source = await findKey(svc, call, sourceRef ?? named, { aliases: true, member: 'sourceKeyId' });
  if (source.keyId !== named) throw kmsError('IncorrectKeyException', 'The key ID in the request does not identify a CMK that can perform this operation.');
  const destination = await findKey(svc, call, destinationRef, { aliases: true, member: 'destinationKeyId' });
  // kms:ReEncryptOnSameKey, which AWS presents to both policies: a Deny on it must apply.
  const sameKey = { 'kms:reencryptonsamekey': String(source.keyId === destination.keyId) };
  authorize(svc, call, source, 'kms:ReEncryptFrom', mergeConditions(cryptoConditions(sourceContext), sameKey));
  authorize(svc, call, destination, 'kms:ReEncryptTo', mergeConditions(cryptoConditions(destinationContext), sameKey));
  requireEnabled(svc, source);
  requireEnabled(svc, destination);
  rejectDryRun(call);
  const opened = openWithKey(source, blob, sourceContext);
  const sealed = await sealWithKey(svc, destination, opened.plaintext, destinationContext);
  opened.plaintext.fill(0);
  call.notes.keyMaterial = { destinationKeyMaterialId: sealed.keyMaterialId, sourceKeyMaterialId: opened.keyMaterialId };
  return {
    CiphertextBlob: sealed.blob.toString('base64'),
    SourceKeyId: keyArn(svc.location, source.keyId),
    KeyId: keyArn(svc.location, destination.keyId),
    SourceEncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
    DestinationEncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
    SourceKeyMaterialId: opened.keyMaterialId,
    DestinationKeyMaterialId: sealed.keyMaterialId,
  };
};
