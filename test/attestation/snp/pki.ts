/**
 * A self-made AMD-shaped PKI for tests: an RSA "ARK" and "ASK" signing with RSASSA-PSS/SHA-384,
 * a P-384 "VCEK" with AMD's extensions, reports signed by it, and CRLs. None of it is trusted by
 * default; it lets the tests re-sign reports whose fields were changed.
 */
import { constants, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import * as der from '../../../src/lib/der.js';
import { SIGNED_LENGTH, REPORT_LENGTH } from '../../../src/attestation/snp/report.js';

const OID = {
  rsassaPss: '1.2.840.113549.1.1.10', sha384: '2.16.840.1.101.3.4.2.2', mgf1: '1.2.840.113549.1.1.8',
  o: '2.5.4.10', cn: '2.5.4.3', basicConstraints: '2.5.29.19', keyUsage: '2.5.29.15', amd: '1.3.6.1.4.1.3704.1',
};

export const DAY = 86_400_000;
export const T0 = Date.UTC(2025, 5, 1);

export const pssAlgorithm = () => der.sequence(der.oid(OID.rsassaPss), der.sequence(
  der.explicit(0, der.sequence(der.oid(OID.sha384), der.nullValue())),
  der.explicit(1, der.sequence(der.oid(OID.mgf1), der.sequence(der.oid(OID.sha384), der.nullValue()))),
  der.explicit(2, der.smallInteger(48)),
));

export const pssSign = (data: Uint8Array, key: KeyObject) => sign('sha384', data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 48 });

export const name = (cn: string) => der.sequence(
  der.set(der.sequence(der.oid(OID.o), der.utf8String('Advanced Micro Devices'))),
  der.set(der.sequence(der.oid(OID.cn), der.utf8String(cn))),
);

export interface Spec {
  subject: string;
  issuer: string;
  key: KeyObject;
  issuerKey: KeyObject;
  serial?: number;
  ca?: boolean;
  /** basicConstraints pathLenConstraint (CA certificates only). */
  pathLength?: number;
  /** A keyUsage extension with this extnValue (none by default). */
  keyUsage?: Uint8Array;
  notBefore?: number;
  notAfter?: number;
  /** [oid suffix under 1.3.6.1.4.1.3704.1, extnValue content]. */
  amd?: Array<[string, Uint8Array]>;
  /** The suffixes of `amd` marked critical (AMD marks none). */
  criticalAmd?: readonly string[];
  /** Further extensions (DER Extension), after the others. */
  extensions?: Uint8Array[];
}

export function certificate(spec: Spec): Buffer {
  const ext = (oid: string, value: Uint8Array, critical = false) =>
    der.sequence(der.oid(oid), ...(critical ? [der.boolean(true)] : []), der.octetString(value));
  const extensions = [
    ...(spec.ca ? [ext(OID.basicConstraints, der.sequence(der.boolean(true), ...(spec.pathLength !== undefined ? [der.smallInteger(spec.pathLength)] : [])), true)] : []),
    ...(spec.keyUsage ? [ext(OID.keyUsage, spec.keyUsage, true)] : []),
    ...(spec.amd ?? []).map(([suffix, value]) => ext(`${OID.amd}.${suffix}`, value, spec.criticalAmd?.includes(suffix))),
    ...(spec.extensions ?? []),
  ];
  const tbs = der.sequence(
    der.explicit(0, der.smallInteger(2)),
    der.unsignedInteger(Uint8Array.of(spec.serial ?? 1)),
    pssAlgorithm(),
    name(spec.issuer),
    der.sequence(der.time(spec.notBefore ?? T0 - 365 * DAY), der.time(spec.notAfter ?? T0 + 365 * DAY)),
    name(spec.subject),
    spec.key.export({ type: 'spki', format: 'der' }),
    ...(extensions.length ? [der.explicit(3, der.sequence(...extensions))] : []),
  );
  return der.sequence(tbs, pssAlgorithm(), der.bitString(pssSign(tbs, spec.issuerKey)));
}

interface KeyPair { publicKey: KeyObject; privateKey: KeyObject }
const rsa = (): KeyPair => generateKeyPairSync('rsa', { modulusLength: 2048 });
let shared: { ark: KeyPair; ask: KeyPair; vcek: KeyPair } | undefined;

/** Keys are generated once per process (RSA generation is the slow part). */
export function keys() {
  shared ??= { ark: rsa(), ask: rsa(), vcek: generateKeyPairSync('ec', { namedCurve: 'secp384r1' }) };
  return shared;
}

/** INTEGER 0..255 (a 0x00 is prefixed from 128 on, as AMD's microcode SPL 217 is `02 02 00 d9`). */
export const int = (n: number) => der.smallInteger(n);
export const ia5 = (text: string) => der.tlv(0x16, Buffer.from(text, 'latin1'));

export interface VcekOptions {
  product?: string;
  tcb?: Partial<Record<'bootloader' | 'tee' | 'snp' | 'microcode' | 'fmc', number>>;
  hwId?: Uint8Array;
  subject?: string;
  serial?: number;
  notAfter?: number;
  criticalAmd?: readonly string[];
  extensions?: Uint8Array[];
}

export const SPL_SUFFIX = { bootloader: '3.1', tee: '3.2', snp: '3.3', microcode: '3.8', fmc: '3.9' } as const;

/** A self-made chain for one product: ARK-<gen> → SEV-<gen> → SEV-VCEK. */
export function chain(gen: string, vcek: VcekOptions = {}, askOptions: Partial<Spec> = {}, arkOptions: Partial<Spec> = {}) {
  const k = keys();
  const arkCert = certificate({ subject: `ARK-${gen}`, issuer: `ARK-${gen}`, key: k.ark.publicKey, issuerKey: k.ark.privateKey, ca: true, serial: 1, ...arkOptions });
  const askCert = certificate({ subject: `SEV-${gen}`, issuer: `ARK-${gen}`, key: k.ask.publicKey, issuerKey: k.ark.privateKey, ca: true, serial: 2, ...askOptions });
  const tcb = vcek.tcb ?? { bootloader: 2, tee: 0, snp: 5, microcode: 68 };
  const amd: Array<[string, Uint8Array]> = [['1', int(gen === 'Turin' ? 1 : 0)], ['2', ia5(vcek.product ?? `${gen}-B0`)]];
  for (const [component, value] of Object.entries(tcb)) amd.push([SPL_SUFFIX[component as keyof typeof SPL_SUFFIX], int(value)]);
  if (vcek.hwId) amd.push(['4', vcek.hwId]);
  const vcekCert = certificate({
    subject: vcek.subject ?? 'SEV-VCEK', issuer: `SEV-${gen}`, key: k.vcek.publicKey, issuerKey: k.ask.privateKey,
    serial: vcek.serial ?? 0, notAfter: vcek.notAfter, amd, criticalAmd: vcek.criticalAmd, extensions: vcek.extensions,
  });
  return { arkCert, askCert, vcekCert, arkPem: `-----BEGIN CERTIFICATE-----\n${arkCert.toString('base64')}\n-----END CERTIFICATE-----\n` };
}

export interface ReportFields {
  version?: number;
  policy?: bigint;
  vmpl?: number;
  signerInfo?: number;
  reportData?: Uint8Array;
  measurement?: Uint8Array;
  reportedTcb?: Uint8Array;
  cpuid?: [number, number, number];
  chipId?: Uint8Array;
}

/** A report with these fields, signed by the shared VCEK key (R and S little-endian, 72 bytes each). */
export function report(fields: ReportFields = {}): Buffer {
  const b = Buffer.alloc(REPORT_LENGTH);
  b.writeUInt32LE(fields.version ?? 3, 0x00);
  b.writeBigUInt64LE(fields.policy ?? 0x30000n, 0x08);
  b.writeUInt32LE(fields.vmpl ?? 0, 0x30);
  b.writeUInt32LE(1, 0x34);
  b.writeUInt32LE(fields.signerInfo ?? 0, 0x48);
  b.set(fields.reportData ?? new Uint8Array(64), 0x50);
  b.set(fields.measurement ?? new Uint8Array(48).fill(0xaa), 0x90);
  b.set(fields.reportedTcb ?? Uint8Array.of(2, 0, 0, 0, 0, 0, 5, 68), 0x180);
  if ((fields.version ?? 3) >= 3) b.set(fields.cpuid ?? [0x19, 0x01, 0x01], 0x188);
  b.set(fields.chipId ?? new Uint8Array(64), 0x1a0);
  return resign(b);
}

/** Signs bytes 0..0x2A0 again with the shared VCEK key, in place; returns the buffer. */
export function resign(b: Buffer): Buffer {
  const sig = sign('sha384', b.subarray(0, SIGNED_LENGTH), { key: keys().vcek.privateKey, dsaEncoding: 'ieee-p1363' });
  b.fill(0, SIGNED_LENGTH, SIGNED_LENGTH + 144);
  b.set(Uint8Array.from(sig.subarray(0, 48)).reverse(), SIGNED_LENGTH);
  b.set(Uint8Array.from(sig.subarray(48)).reverse(), SIGNED_LENGTH + 72);
  return b;
}

/** A CRL (v2) by `issuer`, signed with RSASSA-PSS by `key`, listing `serials`. */
export function crl(issuer: string, key: KeyObject, serials: number[], thisUpdate = T0 - DAY, nextUpdate = T0 + 7 * DAY): Buffer {
  const entries = serials.map((s) => der.sequence(der.unsignedInteger(Uint8Array.of(s)), der.time(thisUpdate)));
  const tbs = der.sequence(
    der.smallInteger(1), pssAlgorithm(), name(issuer), der.time(thisUpdate), der.time(nextUpdate),
    ...(entries.length ? [der.sequence(...entries)] : []),
  );
  return der.sequence(tbs, pssAlgorithm(), der.bitString(pssSign(tbs, key)));
}
