/** The file device's two special paths: `stdout` and `discard`. */
import type { FileSinkStats } from './appender.js';

const emptyStats = (): FileSinkStats => ({ lines: 0, bytes: 0, writes: 0, syncWrites: 0, fsyncs: 0, rotations: 0, reopens: 0, errors: 0, cacheReleases: 0 });

export interface SpecialFileSink {
  write(line: string): Promise<void>;
  readonly stats: FileSinkStats;
}

/** Writes to the process's stdout; the stream keeps lines in order. */
export function stdoutSink(): SpecialFileSink {
  const stats = emptyStats();
  return {
    stats,
    write(line) {
      return new Promise((resolve, reject) => {
        process.stdout.write(line, (err) => {
          if (err) {
            stats.errors++;
            reject(new Error(`file audit device: write to stdout failed: ${err.message}`));
          } else {
            stats.lines++;
            stats.bytes += Buffer.byteLength(line, 'utf8');
            resolve();
          }
        });
      });
    },
  };
}

const done = Promise.resolve();

/** Accepts and drops every line (Vault's `discard`): the pipeline runs, nothing is stored. */
export function discardSink(): SpecialFileSink {
  const stats = emptyStats();
  return {
    stats,
    write() {
      stats.lines++;
      return done;
    },
  };
}
