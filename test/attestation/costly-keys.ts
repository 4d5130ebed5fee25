/**
 * Certificates whose keys are costly to verify with: RSA keys with a public exponent almost as long
 * as the modulus (OpenSSL accepts any exponent below a modulus of at most 3072 bits), so that one
 * signature check costs a full modular exponentiation (~100× an ordinary RSA verification). A
 * hostile chain is made of them to find out whether a verifier ever checks a signature with a key
 * that does not yet chain to a trusted root.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import * as der from '../../src/lib/der.js';

const SHA256_WITH_RSA = '1.2.840.113549.1.1.11';
const ECDSA_WITH_SHA384 = '1.2.840.10045.4.3.3';
const HOUR = 3_600_000;

const b64u = (n: bigint) => {
  const hex = n.toString(16);
  return Buffer.from(hex.length % 2 ? `0${hex}` : hex, 'hex').toString('base64url');
};
const big = (s: string) => BigInt(`0x${Buffer.from(s, 'base64url').toString('hex')}`);
const gcd = (a: bigint, b: bigint): bigint => (b === 0n ? a : gcd(b, a % b));
function modInverse(a: bigint, m: bigint): bigint | undefined {
  let [r0, r1, s0, s1] = [((a % m) + m) % m, m, 1n, 0n];
  while (r1 !== 0n) {
    const q = r0 / r1;
    [r0, r1] = [r1, r0 - q * r1];
    [s0, s1] = [s1, s0 - q * s1];
  }
  return r0 === 1n ? ((s0 % m) + m) % m : undefined;
}

export interface KeyPair { publicKey: KeyObject; privateKey: KeyObject }

/** An RSA key pair of `bits` whose public exponent has `exponentBits` bits. */
export function costlyRsaKey(bits = 3072, exponentBits = 3000): KeyPair {
  const jwk = generateKeyPairSync('rsa', { modulusLength: bits }).privateKey.export({ format: 'jwk' });
  const p = big(jwk.p!);
  const q = big(jwk.q!);
  const n = p * q;
  const lambda = ((p - 1n) * (q - 1n)) / gcd(p - 1n, q - 1n);
  for (;;) {
    const e = BigInt(`0x${randomBytes(Math.ceil(exponentBits / 8)).toString('hex')}`) | 1n | (1n << BigInt(exponentBits - 1));
    const d = e < n ? modInverse(e, lambda) : undefined;
    if (d === undefined) continue;
    const privateKey = createPrivateKey({
      format: 'jwk',
      key: { kty: 'RSA', n: b64u(n), e: b64u(e), d: b64u(d), p: b64u(p), q: b64u(q), dp: b64u(d % (p - 1n)), dq: b64u(d % (q - 1n)), qi: b64u(modInverse(q, p)!) },
    });
    return { privateKey, publicKey: createPublicKey(privateKey) };
  }
}

/** A certificate, its subject (a DER Name) and its key pair. */
export interface Certified { der: Uint8Array; name: Uint8Array; keys: KeyPair }

/** A DER Name of one common name, or the DER Name given. */
const nameOf = (name: string | Uint8Array) => (typeof name === 'string' ? der.sequence(der.set(der.sequence(der.oid('2.5.4.3'), der.utf8String(name)))) : name);

/**
 * A CA (or leaf) certificate for `keys` named `subject` (a common name or a DER Name), signed by
 * `issuer` — with its name and private key, so a forged issuer is a real certificate's name with
 * another key — or self-signed without one; valid an hour either side of `now`. The signature
 * algorithm follows the signing key's type.
 */
export function certify(now: number, subject: string | Uint8Array, keys: KeyPair, issuer: Pick<Certified, 'name' | 'keys'> | undefined, ca: boolean): Certified {
  const name = nameOf(subject);
  const signer = issuer ?? { name, keys };
  const rsa = signer.keys.privateKey.asymmetricKeyType === 'rsa';
  const algorithm = rsa ? der.sequence(der.oid(SHA256_WITH_RSA), der.nullValue()) : der.sequence(der.oid(ECDSA_WITH_SHA384));
  const serial = randomBytes(16);
  serial[0] &= 0x7f;
  const basic = ca ? der.sequence(der.boolean(true)) : der.sequence();
  const usage = ca ? der.bitString(Uint8Array.of(0x06), 1) : der.bitString(Uint8Array.of(0x80), 7);
  const extensions = der.explicit(3, der.sequence(
    der.sequence(der.oid('2.5.29.19'), der.boolean(true), der.octetString(basic)),
    der.sequence(der.oid('2.5.29.15'), der.boolean(true), der.octetString(usage)),
  ));
  const tbs = der.sequence(
    der.explicit(0, der.smallInteger(2)), der.unsignedInteger(serial), algorithm, signer.name,
    der.sequence(der.time(now - HOUR), der.time(now + HOUR)), name, keys.publicKey.export({ type: 'spki', format: 'der' }), extensions,
  );
  const signature = sign(rsa ? 'sha256' : 'sha384', tbs, signer.keys.privateKey);
  return { der: der.sequence(tbs, algorithm, der.bitString(signature)), name, keys };
}
