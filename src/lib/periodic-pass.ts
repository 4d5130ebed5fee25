/**
 * A background pass run once at once and then every `intervalMs` after the previous pass ends, so
 * passes never overlap (token tidy, the deletion of KMS keys whose waiting period has ended). The
 * timer never keeps the process alive; `stop` aborts the signal and awaits a pass under way.
 */
export interface PeriodicPassOptions<T> {
  pass: (signal: AbortSignal) => Promise<T>;
  intervalMs: number;
  /** Called with each pass's result. */
  onPass?: (result: T) => void;
  onError?: (err: unknown) => void;
}

export interface PeriodicPass {
  /** Stops the schedule; a running pass is told through its signal and awaited. */
  stop(): Promise<void>;
}

export function startPeriodicPass<T>(opts: PeriodicPassOptions<T>): PeriodicPass {
  const abort = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;

  const pass = () => {
    timer = undefined;
    running = opts.pass(abort.signal).then(
      (result) => opts.onPass?.(result),
      (err) => { if (!abort.signal.aborted) opts.onError?.(err); },
    ).finally(() => {
      running = undefined;
      if (!abort.signal.aborted) schedule(opts.intervalMs);
    });
  };
  const schedule = (ms: number) => {
    timer = setTimeout(pass, ms);
    timer.unref();
  };

  schedule(0);
  return {
    async stop() {
      abort.abort();
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
