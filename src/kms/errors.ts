/**
 * KMS errors: SealtrailErrors whose `code` is the AWS exception name (`NotFoundException`), so the
 * AWS edge renders `{"__type": code, "message"}` and the Vault edge still maps `kind` → status.
 * Messages follow AWS's wording; they name keys and aliases (not secret) but never a plaintext.
 */
import { SealtrailError, type ErrorKind } from '../errors/index.js';

export type KmsErrorType =
  | 'AccessDeniedException'
  | 'AlreadyExistsException'
  | 'DisabledException'
  | 'DryRunOperationException'
  | 'IncorrectKeyException'
  | 'InvalidAliasNameException'
  | 'InvalidCiphertextException'
  | 'InvalidKeyUsageException'
  | 'InvalidMarkerException'
  | 'KMSInternalException'
  | 'KMSInvalidStateException'
  | 'LimitExceededException'
  | 'MalformedPolicyDocumentException'
  | 'NotFoundException'
  | 'SerializationException'
  | 'TagException'
  | 'UnknownOperationException'
  | 'UnsupportedOperationException'
  | 'ValidationException';

const KIND: Record<KmsErrorType, ErrorKind> = {
  AccessDeniedException: 'permission',
  AlreadyExistsException: 'invalid',
  DisabledException: 'invalid',
  DryRunOperationException: 'invalid',
  IncorrectKeyException: 'invalid',
  InvalidAliasNameException: 'invalid',
  InvalidCiphertextException: 'invalid',
  InvalidKeyUsageException: 'invalid',
  InvalidMarkerException: 'invalid',
  KMSInternalException: 'internal',
  KMSInvalidStateException: 'invalid',
  LimitExceededException: 'invalid',
  MalformedPolicyDocumentException: 'invalid',
  NotFoundException: 'not_found',
  SerializationException: 'invalid',
  TagException: 'invalid',
  UnknownOperationException: 'unsupported',
  UnsupportedOperationException: 'invalid',
  ValidationException: 'invalid',
};

export const KMS_ERROR_TYPES = Object.keys(KIND) as KmsErrorType[];

export function kmsError(type: KmsErrorType, message = ''): SealtrailError {
  return new SealtrailError(KIND[type], type, message);
}

/**
 * AWS's model-validation message: "1 validation error detected: Value '1025' at 'numberOfBytes'
 * failed to satisfy constraint: Member must have value less than or equal to 1024". Sensitive
 * members (plaintext) are reported without their value, as AWS does.
 */
export interface ValidationProblem {
  member: string;
  /** undefined = sensitive or absent: "Value at 'x'" / "Value null at 'x'". */
  value?: string | number | null;
  constraint: string;
}

export function validationError(problems: ValidationProblem[]): SealtrailError {
  const parts = problems.map((p) => {
    const shown = p.value === undefined ? 'Value' : p.value === null ? 'Value null' : `Value '${p.value}'`;
    return `${shown} at '${p.member}' failed to satisfy constraint: ${p.constraint}`;
  });
  const n = problems.length;
  return kmsError('ValidationException', `${n} validation error${n === 1 ? '' : 's'} detected: ${parts.join('; ')}`);
}
