/**
 * An audit device's sink: where formatted lines go. The pipeline (hash → format → prefix) runs
 * before the sink; the sink only writes bytes. `write` resolves when the line is accepted by the
 * destination (written to the file / socket, or fsynced in durable mode) and rejects on failure.
 * Lines arrive in order and must be written in that order.
 */
import type { ReducedLine } from '../reduced-entry.js';
export interface AuditSink {
  /**
   * What a resolved `write` proves. `confirmed`: the destination itself has the line (written to
   * the file, acknowledged by the http or RELP receiver). `sent`: the line left this process
   * (handed to the kernel on a stream socket, or sent as a datagram) and may still be lost with
   * the connection or the network; the broker never acknowledges a request on a `sent` device's
   * word alone while a confirming device is enabled.
   */
  readonly delivery: 'confirmed' | 'sent';
  /** A sentence for operators when `delivery` alone undersells the risk (UDP: nothing ever confirms). */
  readonly deliveryNote?: string;
  /**
   * Entries a network sink dropped together with a broken or abandoned connection, cumulative
   * (sinks without connections leave this out). Read when metrics or health are rendered.
   */
  losses?(): DeliveryLosses;
  /**
   * `line` is a complete record including its trailing newline (and prefix, if any). Lines written
   * together may get the same promise (line-queue.ts answers a whole batch with one), and must then
   * share its outcome: the broker settles entries that got the same promises from every device as
   * one group. A sink whose receiver takes entries up to a size (`max_entry_bytes`) sends
   * `reduced(bytes)` in place of a longer line, and fails the entry only when that is over it too
   * (reduced-entry.ts).
   */
  write(line: string, reduced?: ReducedLine): Promise<void>;
  /**
   * A sink that indexes what it keeps (the journal) gets each entry's facts beside its line;
   * the device calls this instead of `write` when the sink has it.
   */
  writeEntry?(line: string, facts: EntryFacts, reduced: ReducedLine): Promise<void>;
  /** Reopens files / reconnects (SIGHUP, rotation by an external tool). */
  reopen(): Promise<void>;
  close(): Promise<void>;
}

/** What an indexing sink learns of an entry besides its text. */
export interface EntryFacts {
  kind: 'request' | 'response';
  timeNs: bigint;
  requestId: string;
  /**
   * The accessor the entry is about, HMAC'd with the device's salt whatever `hmac_accessor` says:
   * a login response's new token, otherwise the caller's token.
   */
  accessor?: string;
  entityId?: string;
  /** The attestation flow's correlation id, when the request or its response carries one. */
  correlationId?: string;
  remoteAddress?: string;
  path: string;
  operation: string;
  /** The entry records an error. */
  failed: boolean;
}

/**
 * What a stream sink lost with connections that ended badly (peer reset or killed, peer closed,
 * abandoned by a reopen or close while the peer was not reading).
 */
export interface DeliveryLosses {
  /** Connections that ended with entries at risk. */
  connections: number;
  /** Bytes and entries still in this process (not yet taken by the kernel): never sent. */
  abandonedEntries: number;
  abandonedBytes: number;
  /**
   * Bytes and entries the kernel had taken (counted as sent) within its buffering capacity of the
   * connection's end: an upper bound on what was lost in kernel buffers, ours or the peer's.
   */
  possiblyLostEntries: number;
  possiblyLostBytes: number;
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
