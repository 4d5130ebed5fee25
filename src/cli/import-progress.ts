/**
 * The progress line of a long import on a terminal (stderr): records, bytes, rate and the time
 * left from the inputs' total size, redrawn in place at most every `intervalMs`. Off a terminal
 * it draws nothing: a log gets the summary line alone.
 */
export interface ProgressFigures {
  records: number;
  bytes: number;
  totalBytes: number;
}

export interface ProgressLine {
  update(figures: ProgressFigures): void;
  /** Clears the line (the summary follows). */
  done(): void;
}

const CLEAR_LINE = '\r\x1b[K';

const megabytes = (n: number) => `${(n / 1e6).toFixed(1)} MB`;

export function formatProgress(f: ProgressFigures, elapsedMs: number): string {
  const seconds = elapsedMs / 1000;
  const rate = seconds > 0 ? Math.round(f.records / seconds) : 0;
  const byteRate = seconds > 0 ? f.bytes / seconds : 0;
  const eta = byteRate > 0 ? `${Math.ceil((f.totalBytes - f.bytes) / byteRate)} s` : '?';
  return `${f.records} records, ${megabytes(f.bytes)} of ${megabytes(f.totalBytes)}, ${rate} records/s, ETA ${eta}`;
}

export function progressLine(write: (text: string) => void, isTty: boolean, now: () => number, intervalMs = 100): ProgressLine {
  const start = now();
  let last = -Infinity;
  let drawn = false;
  return {
    update(figures) {
      if (!isTty) return;
      const t = now();
      if (t - last < intervalMs) return;
      last = t;
      drawn = true;
      write(CLEAR_LINE + formatProgress(figures, t - start));
    },
    done() {
      if (drawn) write(CLEAR_LINE);
    },
  };
}
