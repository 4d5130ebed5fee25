/** GenerateDataKey, GenerateDataKeyWithoutPlaintext, GenerateRandom. */
import { keyArn } from '../arn.js';
import { randomData } from '../crypto/aead.js';
import { kmsError, validationError } from '../errors.js';
import { envelopeForRecipient } from '../../attestation/index.js';
import type { KmsCall, KmsServices, OperationHandler } from './context.js';
import { mergeConditions } from '../policy/index.js';
import { optInt, optString, reqString } from './input.js';
import { authorize, findKey, rejectDryRun, requireEnabled } from './key-access.js';
import { cryptoConditions, readContext, recipientOf, sealWithKey } from './crypto-common.js';

const DATA_KEY_SPECS: Record<string, number> = { AES_256: 32, AES_128: 16 };

function numberOfBytes(n: number): void {
  if (n < 1) throw validationError([{ member: 'numberOfBytes', value: n, constraint: 'Member must have value greater than or equal to 1' }]);
  if (n > 1024) throw validationError([{ member: 'numberOfBytes', value: n, constraint: 'Member must have value less than or equal to 1024' }]);
}

/** The data key length from KeySpec or NumberOfBytes (exactly one of them). */
function dataKeyLength(call: KmsCall): number {
  const spec = optString(call.body, 'KeySpec');
  const n = optInt(call.body, 'NumberOfBytes');
  if (spec !== undefined && !Object.hasOwn(DATA_KEY_SPECS, spec)) {
    throw validationError([{ member: 'keySpec', value: spec, constraint: `Member must satisfy enum value set: [${Object.keys(DATA_KEY_SPECS).join(', ')}]` }]);
  }
  if (n !== undefined) numberOfBytes(n);
  if ((spec === undefined) === (n === undefined)) throw kmsError('ValidationException', 'Please specify either number of bytes or key spec.');
  return spec !== undefined ? DATA_KEY_SPECS[spec] : n!;
}

async function generate(call: KmsCall, svc: KmsServices, withPlaintext: boolean): Promise<Record<string, unknown>> {
  const keyRef = reqString(call.body, 'KeyId');
  const length = dataKeyLength(call);
  const context = readContext(call.body);
  const key = await findKey(svc, call, keyRef, { aliases: true });
  const recipient = withPlaintext ? recipientOf(call, svc) : undefined;
  const action = withPlaintext ? 'kms:GenerateDataKey' : 'kms:GenerateDataKeyWithoutPlaintext';
  authorize(svc, call, key, action, mergeConditions(cryptoConditions(context), recipient?.conditionContext));
  requireEnabled(svc, key);
  rejectDryRun(call);
  const dataKey = randomData(length);
  const { blob, keyMaterialId } = await sealWithKey(svc, key, dataKey, context);
  call.notes.keyMaterial = { keyMaterialId };
  const out: Record<string, unknown> = { CiphertextBlob: blob.toString('base64'), KeyId: keyArn(svc.location, key.keyId), KeyMaterialId: keyMaterialId };
  if (recipient) out.CiphertextForRecipient = envelopeForRecipient(recipient.publicKey, dataKey).toString('base64');
  else if (withPlaintext) out.Plaintext = dataKey.toString('base64');
  dataKey.fill(0);
  return out;
}

export const generateDataKey: OperationHandler = (call, svc) => generate(call, svc, true);
export const generateDataKeyWithoutPlaintext: OperationHandler = (call, svc) => generate(call, svc, false);

export const generateRandom: OperationHandler = async (call, svc) => {
  const n = optInt(call.body, 'NumberOfBytes');
  if (n === undefined) throw kmsError('ValidationException', 'NumberOfBytes is required.');
  numberOfBytes(n);
  if (optString(call.body, 'CustomKeyStoreId') !== undefined) throw kmsError('UnsupportedOperationException', 'Custom key stores are not supported by this server.');
  const recipient = recipientOf(call, svc);
  const bytes = randomData(n);
  const out: Record<string, unknown> = recipient
    ? { CiphertextForRecipient: envelopeForRecipient(recipient.publicKey, bytes).toString('base64') }
    : { Plaintext: bytes.toString('base64') };
  bytes.fill(0);
  return out;
};
