/**
 * What validate-logs prints, line for line as `aws cloudtrail validate-logs` prints it: valid
 * files on stdout with --verbose, INVALID lines always on stderr followed by a blank line, then
 * the summary ("Results requested for ... / 2/2 digest files valid / 3/3 log files valid"). With
 * --ledger-key only (without it the output stays aws-cli's, for tools that read it), a digest
 * naming a journal ledger checkpoint adds a line of its own (--verbose), and the newest one named
 * closes the summary.
 */
import { rfc3339 } from '../../lib/time.js';
import type { LedgerCheckpointField } from '../delivery/ledger-checkpoint.js';

export interface ReportSink {
  out(text: string): void;
  err(text: string): void;
}

export class ValidationReport {
  validDigests = 0;
  invalidDigests = 0;
  validBackfillDigests = 0;
  invalidBackfillDigests = 0;
  validLogs = 0;
  invalidLogs = 0;
  /** The earliest valid digest's start and the latest one's end, within the requested range (aws-cli's found times). */
  foundStartMs: number | undefined;
  foundEndMs: number | undefined;
  /** The ledger checkpoint of the newest valid digest naming one (the walk goes newest first). */
  newestLedger: string | undefined;
  /** True while backfill digests are walked: their digest and gap lines start with "(backfill) ". */
  backfill = false;
  #lastWasDoubleSpace = true;

  constructor(private readonly sink: ReportSink, private readonly verbose: boolean, readonly startMs: number, readonly endMs: number) {}

  startup(trailArn: string): void {
    this.sink.out(`Validating log files for trail ${trailArn} between ${rfc3339(this.startMs)} and ${rfc3339(this.endMs)}\n\n`);
  }

  valid(message: string): void {
    if (!this.verbose) return;
    this.#lastWasDoubleSpace = false;
    this.sink.out(`${message}\n`);
  }

  invalid(message: string): void {
    this.sink.err(this.#lastWasDoubleSpace ? `${message}\n\n` : `\n${message}\n\n`);
    this.#lastWasDoubleSpace = true;
  }

  digestValid(bucket: string, key: string, digestStartMs: number, digestEndMs: number): void {
    this.#trackFoundTimes(digestStartMs, digestEndMs);
    if (this.backfill) this.validBackfillDigests++;
    else this.validDigests++;
    this.valid(`${this.#kind}Digest file\ts3://${bucket}/${key}\tvalid`);
  }

  get #kind(): string {
    return this.backfill ? '(backfill) ' : '';
  }

  #trackFoundTimes(digestStartMs: number, digestEndMs: number): void {
    const start = Math.max(digestStartMs, this.startMs);
    const end = Math.min(digestEndMs, this.endMs);
    this.foundStartMs = this.foundStartMs === undefined ? start : Math.min(this.foundStartMs, start);
    this.foundEndMs = this.foundEndMs === undefined ? end : Math.max(this.foundEndMs, end);
  }

  digestInvalid(message: string): void {
    if (this.backfill) this.invalidBackfillDigests++;
    else this.invalidDigests++;
    this.invalid(`${this.#kind}${message}`);
  }

  /** A chain's first digest with an older one before it. */
  gap(olderEnd: string, chainStart: string): void {
    this.invalid(`${this.#kind}No log files were delivered by CloudTrail between ${olderEnd} and ${chainStart}`);
  }

  ledgerCheckpoint(bucket: string, key: string, field: LedgerCheckpointField, signatureChecked: boolean): void {
    if (!signatureChecked) return;
    const named = `ledger checkpoint ${field.origin} at tree size ${field.treeSize}, root ${field.rootHash} (signature verified)`;
    this.newestLedger ??= named;
    this.valid(`Digest file\ts3://${bucket}/${key}\tnames ${named}`);
  }

  logValid(bucket: string, key: string): void {
    this.validLogs++;
    this.valid(`Log file\ts3://${bucket}/${key}\tvalid`);
  }

  logInvalid(bucket: string, key: string, reason: string): void {
    this.invalidLogs++;
    this.invalid(`Log file\ts3://${bucket}/${key}\tINVALID: ${reason}`);
  }

  summary(): void {
    let text = this.#lastWasDoubleSpace ? '' : '\n';
    text += `Results requested for ${rfc3339(this.startMs)} to ${rfc3339(this.endMs)}\n`;
    if (this.validDigests + this.invalidDigests + this.validBackfillDigests + this.invalidBackfillDigests === 0) {
      this.sink.out(`${text}No digests found\n`);
      return;
    }
    text += this.foundStartMs === undefined || this.foundEndMs === undefined
      ? 'No valid digests found in range\n'
      : `Results found for ${rfc3339(this.foundStartMs)} to ${rfc3339(this.foundEndMs)}:\n`;
    text += ratio(this.validDigests, this.invalidDigests, 'digest')
      + ratio(this.validBackfillDigests, this.invalidBackfillDigests, 'backfill digest')
      + ratio(this.validLogs, this.invalidLogs, 'log');
    if (this.newestLedger) text += `\nThe newest valid digest names ${this.newestLedger}`;
    this.sink.out(`${text}\n`);
  }

  get exitCode(): number {
    return this.invalidDigests > 0 || this.invalidBackfillDigests > 0 || this.invalidLogs > 0 ? 1 : 0;
  }
}

function ratio(valid: number, invalid: number, name: string): string {
  const total = valid + invalid;
  if (total === 0) return '';
  return `\n${valid}/${total} ${name} files valid` + (invalid > 0 ? `, ${invalid}/${total} ${name} files INVALID` : '');
}
