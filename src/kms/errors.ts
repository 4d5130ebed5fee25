/**
 * KMS errors: SealtrailErrors whose `code` is the AWS exception name (`NotFoundException`), so the
 * AWS edge renders `{"__type": code, "message"}` and the Vault edge still maps `kind` → status
 * (each type's kind is in the errors table, src/errors/codes.ts).
 * Messages follow AWS's wording; they name keys and aliases (not secret) but never a plaintext.
 */
import { AWS_ERROR_TYPES, SealtrailError } from '../errors/index.js';

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

export function kmsError(type: KmsErrorType, message = ''): SealtrailError {
  return new SealtrailError(AWS_ERROR_TYPES[type].kind, type, message);
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
