/**
 * Intel QE identity v2: who the quoting enclave must be (MRSIGNER, ISVPRODID, MISCSELECT and
 * ATTRIBUTES under their masks) and the status of its ISVSVN. The QE report in the quote is
 * matched against it; a QE Intel does not know is a mismatch, not a status.
 */
import type { TcbStatus } from '../types.js';
import type { SgxReportBody } from './body.js';
import { advisories, array, hexField, maskedEqual, object, status, uint, type Json } from './json-fields.js';
import { failure, success, type Outcome } from './outcome.js';

export interface QeIdentity {
  miscselect: Buffer;
  miscselectMask: Buffer;
  attributes: Buffer;
  attributesMask: Buffer;
  mrsigner: Buffer;
  isvprodid: number;
  levels: Array<{ isvsvn: number; status: TcbStatus; advisoryIds: string[] }>;
}

/** Throws on anything but a v2 identity with the expected id ("QE" for SGX, "TD_QE" for TDX). */
export function readQeIdentity(doc: Json, expectedId: 'QE' | 'TD_QE'): QeIdentity {
  if (doc.id !== expectedId) throw new Error(`QE identity id is not "${expectedId}"`);
  if (doc.version !== 2) throw new Error('QE identity is not version 2');
  return {
    miscselect: hexField(doc.miscselect, 'miscselect', 4),
    miscselectMask: hexField(doc.miscselectMask, 'miscselectMask', 4),
    attributes: hexField(doc.attributes, 'attributes', 16),
    attributesMask: hexField(doc.attributesMask, 'attributesMask', 16),
    mrsigner: hexField(doc.mrsigner, 'mrsigner', 32),
    isvprodid: uint(doc.isvprodid, 'isvprodid'),
    levels: array(doc.tcbLevels, 'tcbLevels').map((v) => {
      const l = object(v, 'tcbLevel');
      return {
        isvsvn: uint(object(l.tcb, 'tcbLevel.tcb').isvsvn, 'isvsvn'),
        status: status(l.tcbStatus, 'tcbStatus'),
        advisoryIds: advisories(l.advisoryIDs, 'advisoryIDs'),
      };
    }),
  };
}

export interface QeStatus {
  status: TcbStatus;
  advisoryIds: string[];
}

/** The QE report's identity checks, then the first level its ISVSVN reaches (levels are best first). */
export function matchQeIdentity(report: SgxReportBody, identity: QeIdentity): Outcome<QeStatus> {
  if (!Buffer.from(report.mrSigner).equals(identity.mrsigner)) return failure('tcb_mismatch', 'the QE report MRSIGNER is not the QE identity\'s');
  if (report.isvProdId !== identity.isvprodid) return failure('tcb_mismatch', 'the QE report ISVPRODID is not the QE identity\'s');
  // The identity writes MISCSELECT as a big-endian number, the report holds it little-endian.
  const miscMask = identity.miscselectMask.readUInt32BE(0);
  if (((report.miscSelect & miscMask) >>> 0) !== ((identity.miscselect.readUInt32BE(0) & miscMask) >>> 0)) {
    return failure('tcb_mismatch', 'the QE report MISCSELECT does not match the QE identity');
  }
  if (!maskedEqual(report.attributes, identity.attributesMask, identity.attributes)) {
    return failure('tcb_mismatch', 'the QE report ATTRIBUTES do not match the QE identity');
  }
  const level = identity.levels.find((l) => report.isvSvn >= l.isvsvn);
  if (!level) return failure('tcb_mismatch', 'the QE report ISVSVN is below every QE identity TCB level');
  return success({ status: level.status, advisoryIds: level.advisoryIds });
}
