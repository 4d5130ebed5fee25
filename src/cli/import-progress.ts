/**
 * The progress line of a long import on a terminal (stderr): records, bytes, rate and the time
 * left from the inputs' total size (no total and no time left with a pipe among them), redrawn in
 * place at most every `intervalMs`. Off a terminal it draws nothing: a log gets the summary line
 * alone. `statusLine` is the redrawing alone, for other long commands (the ledger verifier).
 */
export interface ProgressFigures {
  records: number;
  bytes: number;
  /** Unknown when a pipe is among the inputs. */
  totalBytes?: number;
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
  if (f.totalBytes === undefined) return `${f.records} records, ${megabytes(f.bytes)}, ${rate} records/s`;
  const eta = byteRate > 0 ? `${Math.ceil((f.totalBytes - f.bytes) / byteRate)} s` : '?';
  return `${f.records} records, ${megabytes(f.bytes)} of ${megabytes(f.totalBytes)}, ${rate} records/s, ETA ${eta}`;
}

/** A line redrawn in place on a terminal at most every `intervalMs`; nothing off a terminal. */
export function statusLine(write: (text: string) => void, isTty: boolean, now: () => number, intervalMs = 100) {
  const start = now();
  let last = -Infinity;
  let drawn = false;
  return {
    /** Redraws with `text(elapsed ms)`, unless drawn less than `intervalMs` ago. */
    update(text: (elapsedMs: number) => string): void {
      if (!isTty) return;
      const t = now();
      if (t - last < intervalMs) return;
      last = t;
      drawn = true;
      write(CLEAR_LINE + text(t - start));
    },
    done(): void {
      if (drawn) write(CLEAR_LINE);
    },
  };
}

export function progressLine(write: (text: string) => void, isTty: boolean, now: () => number, intervalMs = 100): ProgressLine {
  const line = statusLine(write, isTty, now, intervalMs);
  return {
    update: (figures) => line.update((elapsed) => formatProgress(figures, elapsed)),
    done: () => line.done(),
  };
}
