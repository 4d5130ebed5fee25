/**
 * Access key pairs in AWS's shapes: `AKIA` + 16 characters of the base32 alphabet for the id, 40
 * characters of base64 alphabet for the secret, and `AIDA` + 17 characters for a user's stable
 * principal id (what CloudTrail shows as userIdentity.principalId).
 */
import { randomBytes } from 'node:crypto';

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const SECRET_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function randomFrom(alphabet: string, length: number): string {
  // Both alphabets have a power-of-two size (32, 64), so masking has no modulo bias.
  const mask = alphabet.length - 1;
  let out = '';
  for (const b of randomBytes(length)) out += alphabet[b & mask];
  return out;
}

export const ACCESS_KEY_ID_RE = /^AKIA[A-Z2-7]{16}$/;

export const newAccessKeyId = () => `AKIA${randomFrom(BASE32, 16)}`;
export const newSecretAccessKey = () => randomFrom(SECRET_ALPHABET, 40);
export const newPrincipalId = () => `AIDA${randomFrom(BASE32, 17)}`;
