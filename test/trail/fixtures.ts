/** Events for trail tests, shaped like the seed's KMS examples. */
import type { TrailEventInput } from '../../src/trail/model.js';

export const ACCOUNT = '111122223333';
export const KEY_ID = '1234abcd-12ab-34cd-56ef-1234567890ab';
export const KEY_ARN = `arn:aws:kms:us-east-1:${ACCOUNT}:key/${KEY_ID}`;

export function kmsEvent(overrides: Partial<TrailEventInput> = {}): TrailEventInput {
  return {
    eventId: 'a9dea4f9-8395-46c0-942c-f509c02c2b71',
    requestId: 'e0eb83e3-63bc-11e4-bc2b-4198b6150d5c',
    eventTime: Date.UTC(2024, 10, 14, 23, 46, 27, 382),
    eventSource: 'kms.amazonaws.com',
    eventName: 'GenerateDataKey',
    awsRegion: 'us-east-1',
    sourceIpAddress: '192.0.2.0',
    userAgent: 'aws-sdk-js/3.700.0',
    userIdentity: {
      type: 'IAMUser',
      principalId: 'AIDAEXAMPLEALICE',
      arn: `arn:aws:iam::${ACCOUNT}:user/Alice`,
      accountId: ACCOUNT,
      accessKeyId: 'AKIAEXAMPLEALICE0001',
      userName: 'Alice',
    },
    requestParameters: { keyId: KEY_ID, numberOfBytes: 32 },
    responseElements: null,
    additionalEventData: {
      recipient: {
        attestationDocumentModuleId: 'i-123456789abcde123-enc123456789abcde12',
        attestationDocumentEnclaveImageDigest: 'ee0d451a2ff9aaaa9bccd07700b9cab123a0ac2386ef7e88ad5ea6c72ebabea840957328e2ec890b408c9b06cb8ebe6a',
      },
    },
    readOnly: true,
    resources: [{ accountId: ACCOUNT, type: 'AWS::KMS::Key', arn: KEY_ARN }],
    managementEvent: true,
    eventCategory: 'Management',
    recipientAccountId: ACCOUNT,
    ...overrides,
  };
}
