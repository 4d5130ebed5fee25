import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatCloudTrailRecord } from '../../src/trail/format.js';
import { kmsEvent } from './fixtures.js';

test('a Recipient GenerateDataKey event formats as the CloudTrail record, field for field and in order', () => {
  const input = kmsEvent();
  const before = JSON.stringify(input);
  const record = formatCloudTrailRecord(input);
  assert.equal(JSON.stringify(input), before, 'the input is not modified');
  assert.equal(
    JSON.stringify(record),
    '{"eventVersion":"1.11","userIdentity":{"type":"IAMUser","principalId":"AIDAEXAMPLEALICE","arn":"arn:aws:iam::111122223333:user/Alice","accountId":"111122223333","accessKeyId":"AKIAEXAMPLEALICE0001","userName":"Alice"},' +
      '"eventTime":"2024-11-14T23:46:27Z","eventSource":"kms.amazonaws.com","eventName":"GenerateDataKey","awsRegion":"us-east-1","sourceIPAddress":"192.0.2.0","userAgent":"aws-sdk-js/3.700.0",' +
      '"requestParameters":{"keyId":"1234abcd-12ab-34cd-56ef-1234567890ab","numberOfBytes":32},"responseElements":null,' +
      '"additionalEventData":{"recipient":{"attestationDocumentModuleId":"i-123456789abcde123-enc123456789abcde12","attestationDocumentEnclaveImageDigest":"ee0d451a2ff9aaaa9bccd07700b9cab123a0ac2386ef7e88ad5ea6c72ebabea840957328e2ec890b408c9b06cb8ebe6a"}},' +
      '"requestID":"e0eb83e3-63bc-11e4-bc2b-4198b6150d5c","eventID":"a9dea4f9-8395-46c0-942c-f509c02c2b71","readOnly":true,' +
      '"resources":[{"accountId":"111122223333","type":"AWS::KMS::Key","ARN":"arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"}],' +
      '"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"111122223333","eventCategory":"Management"}',
  );
});

test('a failed call carries errorCode and errorMessage before requestParameters; no additionalEventData when absent', () => {
  const record = formatCloudTrailRecord(kmsEvent({
    eventName: 'Decrypt', additionalEventData: undefined, errorCode: 'DisabledException', errorMessage: 'key is disabled',
    requestParameters: { encryptionAlgorithm: 'SYMMETRIC_DEFAULT' },
  }));
  assert.deepEqual(Object.keys(record), [
    'eventVersion', 'userIdentity', 'eventTime', 'eventSource', 'eventName', 'awsRegion', 'sourceIPAddress', 'userAgent',
    'errorCode', 'errorMessage', 'requestParameters', 'responseElements', 'requestID', 'eventID', 'readOnly', 'resources',
    'eventType', 'managementEvent', 'recipientAccountId', 'eventCategory',
  ]);
  assert.equal(record.errorCode, 'DisabledException');
  assert.equal(record.errorMessage, 'key is disabled');
});

test('GenerateRandom has no resources and null parameters, as in the seed', () => {
  const record = formatCloudTrailRecord(kmsEvent({ eventName: 'GenerateRandom', resources: [], requestParameters: null }));
  assert.deepEqual(record.resources, []);
  assert.equal(record.requestParameters, null);
  assert.equal(record.responseElements, null);
});

test('a call over TLS ends its record with tlsDetails, after eventCategory, as AWS places it', () => {
  const tlsDetails = { tlsVersion: 'TLSv1.3', cipherSuite: 'TLS_AES_256_GCM_SHA384', clientProvidedHostHeader: 'kms.us-east-1.amazonaws.com' };
  const record = formatCloudTrailRecord(kmsEvent({ tlsDetails }));
  assert.deepEqual(Object.keys(record).slice(-2), ['eventCategory', 'tlsDetails']);
  assert.deepEqual(record.tlsDetails, tlsDetails);
  assert.equal('tlsDetails' in formatCloudTrailRecord(kmsEvent()), false);
});
