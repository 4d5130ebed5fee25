/**
 * An audit device's sink: where formatted lines go. The pipeline (hash → format → prefix) runs
 * before the sink; the sink only writes bytes. `write` resolves when the line is accepted by the
 * destination (written to the file / socket, or fsynced in durable mode) and rejects on failure.
 * Lines arrive in order and must be written in that order.
 */
export interface AuditSink {
  /**
   * `line` is a complete record including its trailing newline (and prefix, if any). Lines written
   * together may get the same promise (line-queue.ts answers a whole batch with one), and must then
   * share its outcome: the broker settles entries that got the same promises from every device as
   * one group.
   */
  write(line: string): Promise<void>;
  /** Reopens files / reconnects (SIGHUP, rotation by an external tool). */
  reopen(): Promise<void>;
  close(): Promise<void>;
}

/** Options every device type receives (string values, as Vault passes them). */
export type DeviceOptions = Readonly<Record<string, string>>;

export interface SinkContext {
  /** Mount path of the device, e.g. `file/`. */
  path: string;
  options: DeviceOptions;
  clock: import('../../lib/clock.js').Clock;
  /** Server logger for failure episodes; never give it entry contents. */
  log: { warn(obj: object, msg: string): void; info(obj: object, msg: string): void; error(obj: object, msg: string): void };
}

/** Validates options and builds the sink; throws SealtrailError 'invalid' with a clear message. */
export type SinkFactory = (ctx: SinkContext) => Promise<AuditSink>;
