/**
 * A development enclave: issues Nitro-format attestation documents (COSE_Sign1, ES384) signed by a
 * leaf of the development CA, with the PCRs, nonce, public key and user data the caller chooses.
 * The documents have the AWS layout exactly, so the production verifier checks them unchanged.
 *
 * @example
 * ```ts
 * const enclave = createDevEnclave({ ca: createDevCa({ clock }), clock, pcrs: { 0: imageHex, 8: signerHex } });
 * const evidence = enclave.attest({ nonce: challenge });
 * ```
 */
import { sign, type KeyObject } from 'node:crypto';
import { encode } from 'cbor2';
import type { Clock } from '../../lib/clock.js';
import { COSE_ALG_ES384, cborHead, sigStructure } from '../nitro/cose.js';
import type { DevCa } from './ca.js';

/** PCR index → value as hex or bytes (48 bytes, SHA-384 sized). Unlisted PCRs 0..15 are zero. */
export type PcrValues = Record<number, string | Uint8Array>;

export interface AttestRequest {
  nonce?: Uint8Array | null;
  publicKey?: Uint8Array | null;
  userData?: Uint8Array | null;
  /** Overrides the enclave's PCRs for this one document. */
  pcrs?: PcrValues;
}

export interface DevEnclave {
  readonly moduleId: string;
  attest(request?: AttestRequest): Uint8Array;
}

export interface DevEnclaveOptions {
  ca: DevCa;
  clock: Clock;
  pcrs?: PcrValues;
  moduleId?: string;
}

const PCR_LENGTH = 48;
const STANDARD_PCRS = 16;
// A leaf is reused until this close to its expiry, like one enclave boot keeps its certificate.
const LEAF_RENEW_MARGIN_MS = 10 * 60_000;

/** cbor2 encodes a Node Buffer as an object (via toJSON); a plain Uint8Array is a byte string. */
const plain = (b: Uint8Array) => new Uint8Array(b);

export function pcrBytes(index: number, value: string | Uint8Array): Uint8Array {
  const bytes = typeof value === 'string' ? Buffer.from(value, 'hex') : value;
  if (bytes.length !== PCR_LENGTH || (typeof value === 'string' && !/^[0-9a-fA-F]*$/.test(value))) {
    throw new Error(`PCR${index} must be ${PCR_LENGTH} bytes (${PCR_LENGTH * 2} hex digits)`);
  }
  return plain(bytes);
}

function pcrMap(base: PcrValues, override: PcrValues | undefined): Map<number, Uint8Array> {
  const values: PcrValues = { ...base, ...override };
  const indexes = new Set([...Array(STANDARD_PCRS).keys(), ...Object.keys(values).map(Number)]);
  return new Map([...indexes].sort((a, b) => a - b).map((i) => [i, values[i] !== undefined ? pcrBytes(i, values[i]) : new Uint8Array(PCR_LENGTH)]));
}

// The document is a CBOR map of nine fields in AWS's order. The fields that do not change between
// documents (module id, digest, PCRs, certificate, CA bundle) are encoded once — a general CBOR
// encoder costs tens of microseconds per call — and each document frames only the nonce, the
// timestamp and the caller's byte strings around them. The bytes equal cbor2's `encode` of the map.
const PROTECTED_HEADER = encode(new Map([[1, COSE_ALG_ES384]]));
const field = (name: string, value: unknown) => Buffer.concat([encode(name), encode(value)]);
const EMPTY_MAP = cborHead(5, 0);
const NULL = Uint8Array.of(0xf6);
const bytesItem = (b: Uint8Array) => [cborHead(2, b.length), b];
const optionalField = (name: string, v: Uint8Array | null | undefined) => [encode(name), ...(v === undefined || v === null ? [NULL] : bytesItem(v))];
const TIMESTAMP_KEY = encode('timestamp');

export function createDevEnclave(options: DevEnclaveOptions): DevEnclave {
  const { ca, clock } = options;
  const moduleId = options.moduleId ?? 'i-00000000000000000-enc-sealtrail-dev';
  const basePcrs = options.pcrs ?? {};
  const leading = Buffer.concat([cborHead(5, 9), field('module_id', moduleId), field('digest', 'SHA384')]);
  const basePcrField = field('pcrs', pcrMap(basePcrs, undefined)); // validates early too
  const cabundleField = field('cabundle', [plain(ca.root.raw), plain(ca.intermediate.raw)]);
  let leaf: { certificateField: Uint8Array; privateKey: KeyObject; notAfter: number } | undefined;

  return {
    moduleId,
    attest(request = {}) {
      const now = clock.now();
      if (!leaf || now > leaf.notAfter - LEAF_RENEW_MARGIN_MS) {
        const issued = ca.issueLeaf(now, moduleId);
        leaf = { certificateField: field('certificate', plain(issued.certificateDer)), privateKey: issued.privateKey, notAfter: issued.notAfter };
      }
      const payload = Buffer.concat([
        leading,
        TIMESTAMP_KEY, cborHead(0, now),
        request.pcrs ? field('pcrs', pcrMap(basePcrs, request.pcrs)) : basePcrField,
        leaf.certificateField,
        cabundleField,
        ...optionalField('public_key', request.publicKey),
        ...optionalField('user_data', request.userData),
        ...optionalField('nonce', request.nonce),
      ]);
      const signature = sign('sha384', sigStructure(PROTECTED_HEADER, payload), { key: leaf.privateKey, dsaEncoding: 'ieee-p1363' });
      return plain(Buffer.concat([cborHead(4, 4), ...bytesItem(PROTECTED_HEADER), EMPTY_MAP, ...bytesItem(payload), ...bytesItem(signature)]));
    },
  };
}
