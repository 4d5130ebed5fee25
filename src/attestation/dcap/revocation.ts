/**
 * The two Intel CRLs of the collateral: the root CA's (revokes intermediates and signing
 * certificates) and the PCK CA's (revokes PCK leaves). Each must be signed by its issuer and
 * current at the verification time; a stale CRL is expired collateral, not a pass.
 */
import type { X509Certificate } from 'node:crypto';
import { crlSignedBy, isRevoked, issuerProblem, parseCrl, revokedListProblem, type Crl } from '../x509/index.js';
import type { DcapCollateral } from '../types.js';
import { parseChainPem, verifyChain } from './chain.js';
import { failure, hexBytes, success, type Outcome } from './outcome.js';

/** A CRL from hex DER, signed by `issuer` and current at `now`. */
export function currentCrl(what: string, hex: string, issuer: X509Certificate, now: number): Outcome<Crl> {
  const der = hexBytes(hex);
  let crl: Crl;
  try {
    if (!der) throw new Error('not hex');
    crl = parseCrl(der);
  } catch {
    return failure('collateral_invalid', `${what} is not a DER CRL in hex`);
  }
  if (!crlSignedBy(crl, issuer)) return failure('collateral_invalid', `${what} is not signed by its issuer`);
  const listProblem = revokedListProblem(crl);
  if (listProblem) return failure('collateral_invalid', `${what}: ${listProblem}`);
  if (crl.nextUpdate === undefined) return failure('collateral_invalid', `${what} states no nextUpdate`);
  if (now < crl.thisUpdate) return failure('collateral_expired', `${what} is not yet issued at the verification time`);
  if (now > crl.nextUpdate) return failure('collateral_expired', `${what} is past its nextUpdate at the verification time`);
  return success(crl);
}

/** Whether `root`'s CRL lists `cert` (only certificates `root` issued can be on it). */
export function revokedByRoot(rootCrl: Crl, root: X509Certificate) {
  return (cert: X509Certificate): boolean => cert.checkIssued(root) && isRevoked(rootCrl, cert.serialNumber);
}

export interface PckRevocationInput {
  collateral: DcapCollateral;
  /** The verified PCK path: leaf, intermediate(s), trusted root. */
  pckPath: readonly X509Certificate[];
  trustedRoots: readonly X509Certificate[];
  now: number;
}

/** Checks both CRLs against the PCK path; returns the root CRL's check for the other collateral. */
export function checkPckRevocation(input: PckRevocationInput): Outcome<(cert: X509Certificate) => boolean> {
  const { collateral, pckPath, now } = input;
  const root = pckPath[pckPath.length - 1];
  const rootCrl = currentCrl('the root CA CRL', collateral.root_ca_crl, root, now);
  if (!rootCrl.ok) return rootCrl;
  const byRoot = revokedByRoot(rootCrl.value, root);
  for (const cert of pckPath.slice(1, -1)) {
    if (byRoot(cert)) return failure('revoked', 'the PCK intermediate CA is revoked by the root CA');
  }

  const issuerChain = parseChainPem(collateral.pck_crl_issuer_chain);
  if (!issuerChain) return failure('collateral_invalid', 'the PCK CRL issuer chain is not a PEM certificate chain');
  const verified = verifyChain('the PCK CRL issuer chain', issuerChain, input.trustedRoots, now);
  if (!verified.ok) return failure('collateral_invalid', verified.message);
  const crlIssuer = verified.path[0];
  if (byRoot(crlIssuer)) return failure('revoked', 'the PCK CRL issuer is revoked by the root CA');
  const leaf = pckPath[0];
  // It stands for the PCK certificate's issuer, so it must be one that may issue certificates.
  const problem = issuerProblem(crlIssuer, 'the PCK CRL issuer');
  if (problem) return failure('collateral_invalid', problem);
  if (!leaf.checkIssued(crlIssuer) || !leaf.verify(crlIssuer.publicKey)) {
    return failure('collateral_invalid', 'the PCK CRL issuer is not the issuer of the PCK certificate');
  }
  const pckCrl = currentCrl('the PCK CRL', collateral.pck_crl, crlIssuer, now);
  if (!pckCrl.ok) return pckCrl;
  if (isRevoked(pckCrl.value, leaf.serialNumber)) return failure('revoked', 'the PCK certificate is revoked');
  return success(byRoot);
}
