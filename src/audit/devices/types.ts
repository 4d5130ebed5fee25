/**
 * An audit device's sink: where formatted lines go. The pipeline (hash → format → prefix) runs
 * before the sink; the sink only writes bytes. `write` resolves when the line is accepted by the
 * destination (written to the file / socket, or fsynced in durable mode) and rejects on failure.
 * Lines arrive in order and must be written in that order.
 */
export interface AuditSink {
  /**
   * What a resolved `write` proves. `confirmed`: the destination itself has the line (written to
   * the file, acknowledged by the http or RELP receiver). `sent`: the line left this process
   * (handed to the kernel on a stream socket, or sent as a datagram) and may still be lost with
   * the connection or the network; the broker never acknowledges a request on a `sent` device's
   * word alone while a confirming device is enabled.
   */
  readonly delivery: 'confirmed' | 'sent';
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
  /**
   * The server's audit_block_timeout in ms: the broker gives up on a write after it, so a sink
   * that retries stops there too (absent: the broker's default).
   */
  blockTimeoutMs?: number;
  /** Server logger for failure episodes; never give it entry contents. */
  log: { warn(obj: object, msg: string): void; info(obj: object, msg: string): void; error(obj: object, msg: string): void };
}

/** Validates options and builds the sink; throws SealtrailError 'invalid' with a clear message. */
export type SinkFactory = (ctx: SinkContext) => Promise<AuditSink>;
