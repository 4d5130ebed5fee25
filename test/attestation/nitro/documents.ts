/** Nitro documents under chains a test chooses: certificates with any CA flags, path lengths, key usages and added extensions. */
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { encode } from 'cbor2';
import { sigStructure } from '../../../src/attestation/index.js';
import { buildCertificate, type DistinguishedName } from '../../../src/attestation/dev-enclave/certificate.js';
import { withExtensions } from '../added-extensions.js';

const HOUR = 3_600_000;

export interface Issued {
  der: Uint8Array;
  dn: DistinguishedName;
  keys: { publicKey: KeyObject; privateKey: KeyObject };
}

/**
 * A P-384 certificate valid an hour either side of `now`, issued by `issuer` (self-signed without
 * one); `extensions` (DER Extensions, added-extensions.ts) follow the builder's own.
 */
export function issue(
  now: number, cn: string, issuer: Issued | undefined,
  options: { ca: boolean; pathLength?: number; dn?: DistinguishedName; keyUsage?: Uint8Array | null; extensions?: Uint8Array[] },
): Issued {
  const keys = generateKeyPairSync('ec', { namedCurve: 'secp384r1' });
  const dn = options.dn ?? { O: 'Sealtrail test', CN: cn };
  const signer = issuer ?? { dn, keys };
  const der = buildCertificate({
    subject: dn, issuer: signer.dn, subjectKey: keys.publicKey, issuerPublicKey: signer.keys.publicKey, issuerPrivateKey: signer.keys.privateKey,
    notBefore: now - HOUR, notAfter: now + HOUR, ca: options.ca, pathLength: options.pathLength, keyUsage: options.keyUsage,
  });
  return { der: options.extensions ? withExtensions(der, options.extensions, signer.keys.privateKey) : der, dn, keys };
}

/**
 * A document signed by `leaf` at `now`, carrying `cabundle` (DER, root first) as AWS's do; PCR0 and
 * PCR8 are `pcr` repeated. `rewrite` changes the encoded payload, and `rewriteEnvelope` the encoded
 * COSE_Sign1, before they are signed and returned: encodings cbor2 does not write.
 */
export function nitroDocument(
  now: number, leaf: Issued, cabundle: Uint8Array[],
  options: { nonce?: Uint8Array; pcr?: string; rewrite?: (payload: Buffer) => Uint8Array; rewriteEnvelope?: (envelope: Buffer) => Uint8Array } = {},
): Uint8Array {
  const plain = (b: Uint8Array) => new Uint8Array(b);
  const identity = Buffer.from((options.pcr ?? 'ab').repeat(48), 'hex');
  const pcrs = new Map(Array.from({ length: 16 }, (_, i) => [i, i === 0 || i === 8 ? plain(identity) : new Uint8Array(48)]));
  const encoded = encode(new Map<string, unknown>([
    ['module_id', 'i-test-enc'], ['digest', 'SHA384'], ['timestamp', now], ['pcrs', pcrs],
    ['certificate', plain(leaf.der)], ['cabundle', cabundle.map(plain)],
    ['public_key', null], ['user_data', null], ['nonce', options.nonce ? plain(options.nonce) : null],
  ]));
  const payload = plain(options.rewrite ? options.rewrite(Buffer.from(encoded)) : encoded);
  const protectedHeader = encode(new Map([[1, -35]]));
  const signature = sign('sha384', sigStructure(protectedHeader, payload), { key: leaf.keys.privateKey, dsaEncoding: 'ieee-p1363' });
  const envelope = encode([protectedHeader, new Map(), payload, plain(signature)]);
  return options.rewriteEnvelope ? options.rewriteEnvelope(Buffer.from(envelope)) : envelope;
}
