/**
 * What a stream connection's kernel may still hold. Bytes the kernel took (write() returned, or
 * its callback ran) sit in our send buffer and the peer's receive buffer until the peer reads
 * them; if the connection then breaks, they may be lost and no one can tell how many. The
 * buffers are bounded, so the entries of the last `capacity` bytes taken are an upper bound.
 */
import { readFileSync } from 'node:fs';

/** The third field of a `min default max` sysctl, or undefined. */
function sysctlMax(path: string): number | undefined {
  try {
    const fields = readFileSync(path, 'utf8').trim().split(/\s+/);
    const n = Number(fields[fields.length - 1]);
    return Number.isSafeInteger(n) && n > 0 ? n : undefined;
  } catch {
    return undefined;
  }
}

/** Used where the kernel's limits cannot be read (not Linux): generous, so the bound stays a bound. */
const FALLBACK_CAPACITY = 64 * 1024 * 1024;

let tcpCapacity: number | undefined;
let unixCapacity: number | undefined;

/** The most a connection's two kernel buffers can hold: our send buffer plus the peer's receive buffer. */
export function kernelCapacity(transport: 'tcp' | 'unix'): number {
  if (transport === 'tcp') {
    tcpCapacity ??= (sysctlMax('/proc/sys/net/ipv4/tcp_wmem') ?? FALLBACK_CAPACITY / 2) + (sysctlMax('/proc/sys/net/ipv4/tcp_rmem') ?? FALLBACK_CAPACITY / 2);
    return tcpCapacity;
  }
  unixCapacity ??= (sysctlMax('/proc/sys/net/core/wmem_max') ?? FALLBACK_CAPACITY / 2) + (sysctlMax('/proc/sys/net/core/rmem_max') ?? FALLBACK_CAPACITY / 2);
  return unixCapacity;
}

export interface KernelWindow {
  /** The kernel took a batch of `bytes` holding `entries` entries. */
  taken(bytes: number, entries: number): void;
  /** Entries and bytes among the last `capacity` bytes taken. */
  atRisk(): { entries: number; bytes: number };
}

export function createKernelWindow(capacity: number): KernelWindow {
  // Per batch taken: where it ends (cumulative bytes) and how many entries came before it.
  const ends: number[] = [];
  const entriesBefore: number[] = [];
  let head = 0;
  let bytes = 0;
  let entries = 0;
  return {
    taken(n, count) {
      ends.push(bytes + n);
      entriesBefore.push(entries);
      bytes += n;
      entries += count;
      // Batches wholly before the window can no longer be in a kernel buffer.
      while (head < ends.length && ends[head] <= bytes - capacity) head++;
      if (head >= 1024 && head * 2 >= ends.length) {
        ends.splice(0, head);
        entriesBefore.splice(0, head);
        head = 0;
      }
    },
    atRisk() {
      if (head >= ends.length) return { entries: 0, bytes: 0 };
      return { entries: entries - entriesBefore[head], bytes: Math.min(bytes, capacity) };
    },
  };
}
