/**
 * The DCAP collateral document (Intel PCS answers gathered in one JSON object) and its signed
 * JSON items. `parseCollateral` checks the document's shape at the edge (server, CLI) with a
 * clear error; the verifier checks what the items say and who signed them.
 */
import { verify, type X509Certificate } from 'node:crypto';
import { invalid } from '../../errors/index.js';
import { nestsDeeper } from '../../lib/json-depth.js';
import type { DcapCollateral } from '../types.js';
import { parseCrl } from '../x509/index.js';
import { parseChainPem, verifyChain } from './chain.js';
import { failure, hexBytes, success, type Outcome } from './outcome.js';

export const COLLATERAL_KEYS = [
  'pck_crl_issuer_chain', 'root_ca_crl', 'pck_crl',
  'tcb_info_issuer_chain', 'tcb_info', 'tcb_info_signature',
  'qe_identity_issuer_chain', 'qe_identity', 'qe_identity_signature',
] as const satisfies ReadonlyArray<keyof DcapCollateral>;

/** Per item: Intel's largest (a PCK CRL) is tens of KiB. */
export const MAX_COLLATERAL_ITEM_CHARS = 256 * 1024;
const HEX_KEYS = new Set<string>(['root_ca_crl', 'pck_crl', 'tcb_info_signature', 'qe_identity_signature']);

/** The nine collateral strings of a parsed JSON document; throws an 'invalid' SealtrailError otherwise. */
export function parseCollateral(json: unknown): DcapCollateral {
  const code = 'evidence_collateral_invalid';
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw invalid('DCAP collateral must be a JSON object', code);
  const source = json as Record<string, unknown>;
  const out: Partial<Record<keyof DcapCollateral, string>> = {};
  for (const key of COLLATERAL_KEYS) {
    const value = Object.prototype.hasOwnProperty.call(source, key) ? source[key] : undefined;
    if (typeof value !== 'string' || value.length === 0) throw invalid(`DCAP collateral: ${key} must be a non-empty string`, code);
    if (value.length > MAX_COLLATERAL_ITEM_CHARS) throw invalid(`DCAP collateral: ${key} is longer than ${MAX_COLLATERAL_ITEM_CHARS} characters`, code);
    if (HEX_KEYS.has(key) && hexBytes(value) === undefined) throw invalid(`DCAP collateral: ${key} must be hex`, code);
    out[key] = value;
  }
  return out as DcapCollateral;
}

/**
 * Collateral JSON text parsed before any signature covers it (a login's document, and its items
 * as olderCollateral reads them) comes from an unauthenticated caller, and JSON.parse is many
 * times slower on nesting (a megabyte of `[` held the event loop ~0.3 s). Intel's nest 6 levels.
 */
export const MAX_COLLATERAL_JSON_DEPTH = 16;

/** Collateral JSON text, parsed unless it nests deeper than Intel's could; else why not (never quoting it). */
export function parseCollateralJson(text: string): { ok: true; value: unknown } | { ok: false; message: string } {
  if (nestsDeeper(text, MAX_COLLATERAL_JSON_DEPTH)) return { ok: false, message: `it nests deeper than ${MAX_COLLATERAL_JSON_DEPTH} levels` };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false, message: 'it is not JSON' };
  }
}

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?Z$/;

/** An ISO 8601 UTC date field in ms, or undefined. */
export function dateField(value: unknown): number | undefined {
  if (typeof value !== 'string' || !ISO_UTC.test(value)) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

export interface SignedJsonInput {
  what: string;
  text: string;
  signatureHex: string;
  issuerChainPem: string;
  trustedRoots: readonly X509Certificate[];
  now: number;
  /** The signing certificate must not be on the root CA's CRL. */
  isRevokedByRoot: (cert: X509Certificate) => boolean;
}

/**
 * Checks a signed JSON item (TCB info, QE identity): its issuer chain up to a trusted root, the
 * ECDSA P-256 r||s signature over the exact text, and its issueDate..nextUpdate window; returns
 * the parsed object.
 */
export function verifySignedJson(input: SignedJsonInput): Outcome<Record<string, unknown>> {
  const { what } = input;
  const chain = parseChainPem(input.issuerChainPem);
  if (!chain) return failure('collateral_invalid', `${what} issuer chain is not a PEM certificate chain`);
  const verified = verifyChain(`${what} issuer chain`, chain, input.trustedRoots, input.now);
  if (!verified.ok) return failure('collateral_invalid', verified.message);
  const signer = verified.path[0];
  // Intel's TCB signing certificate is issued by the root itself: a PCK leaf, which chains to
  // the same root through a PCK CA and whose key lives on a platform, must not sign collateral.
  if (verified.path.length !== 2 || signer.ca) return failure('collateral_invalid', `${what} is not signed by a signing certificate the root issued directly`);
  if (input.isRevokedByRoot(signer)) return failure('revoked', `${what} signing certificate is revoked by the root CA`);
  const signature = hexBytes(input.signatureHex);
  if (!signature || signature.length !== 64) return failure('collateral_invalid', `${what} signature is not 64 bytes of hex`);
  let ok = false;
  try {
    ok = verify('sha256', Buffer.from(input.text, 'utf8'), { key: signer.publicKey, dsaEncoding: 'ieee-p1363' }, signature);
  } catch {
    ok = false;
  }
  if (!ok) return failure('collateral_invalid', `${what} signature does not verify under its signing certificate`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(input.text);
  } catch {
    return failure('collateral_invalid', `${what} is not JSON`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return failure('collateral_invalid', `${what} is not a JSON object`);
  const doc = parsed as Record<string, unknown>;
  const issued = dateField(doc.issueDate);
  const next = dateField(doc.nextUpdate);
  if (issued === undefined || next === undefined) return failure('collateral_invalid', `${what} lacks a valid issueDate or nextUpdate`);
  if (input.now < issued) return failure('collateral_expired', `${what} is not yet issued at the verification time`);
  if (input.now > next) return failure('collateral_expired', `${what} is past its nextUpdate at the verification time`);
  return success(doc);
}

/**
 * What makes one collateral document newer than another: its TCB info's and QE identity's
 * `tcbEvaluationDataNumber` (Intel raises it with every TCB recovery) and issueDate, and its two
 * CRLs' thisUpdate. Read from the text alone: a login's collateral is verified after this
 * comparison, and its numbers are what it is signed with or it fails there.
 */
interface Recency {
  tcbInfo: { evaluation: number; issued: number };
  qeIdentity: { evaluation: number; issued: number };
  rootCrl: number;
  pckCrl: number;
}

function recencyOf(c: DcapCollateral): Recency | undefined {
  const item = (text: string) => {
    const parsed = parseCollateralJson(text);
    if (!parsed.ok || typeof parsed.value !== 'object' || parsed.value === null) return undefined;
    const doc = parsed.value as Record<string, unknown>;
    const evaluation = doc.tcbEvaluationDataNumber;
    const issued = dateField(doc.issueDate);
    return typeof evaluation === 'number' && Number.isSafeInteger(evaluation) && issued !== undefined ? { evaluation, issued } : undefined;
  };
  const thisUpdate = (hex: string) => {
    const der = hexBytes(hex);
    try {
      return der ? parseCrl(der).thisUpdate : undefined;
    } catch {
      return undefined;
    }
  };
  const tcbInfo = item(c.tcb_info);
  const qeIdentity = item(c.qe_identity);
  const rootCrl = thisUpdate(c.root_ca_crl);
  const pckCrl = thisUpdate(c.pck_crl);
  if (!tcbInfo || !qeIdentity || rootCrl === undefined || pckCrl === undefined) return undefined;
  return { tcbInfo, qeIdentity, rootCrl, pckCrl };
}

/**
 * Why `supplied` (a login's collateral) is older than `configured` (the operator's), if it is.
 * Without this, a workload could bring collateral still inside its window from before its PCK was
 * revoked or a TCB recovery downgraded its platform, and be judged against that. Collateral that
 * cannot be read is left to the verifier, which refuses it.
 */
export function olderCollateral(supplied: DcapCollateral, configured: DcapCollateral): string | undefined {
  const s = recencyOf(supplied);
  const c = recencyOf(configured);
  if (!s || !c) return undefined;
  for (const [what, a, b] of [['TCB info', s.tcbInfo, c.tcbInfo], ['QE identity', s.qeIdentity, c.qeIdentity]] as const) {
    if (a.evaluation < b.evaluation) return `its ${what} has TCB evaluation data number ${a.evaluation}, below the configured collateral's ${b.evaluation}`;
    if (a.evaluation === b.evaluation && a.issued < b.issued) return `its ${what} was issued before the configured collateral's`;
  }
  if (s.rootCrl < c.rootCrl) return 'its root CA CRL was issued before the configured collateral\'s';
  if (s.pckCrl < c.pckCrl) return 'its PCK CRL was issued before the configured collateral\'s';
  return undefined;
}
