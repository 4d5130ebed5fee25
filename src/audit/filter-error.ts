/** The one error of the audit filter language: refused at enable time with the offset of the fault. */
import { invalid, type SealtrailError } from '../errors/index.js';

export function filterError(pos: number, what: string): SealtrailError {
  return invalid(`invalid audit filter at offset ${pos}: ${what}`, 'invalid_audit_filter');
}
