/**
 * A real rsyslog receiver for audit device tests: Debian's `rsyslogd` (with `rsyslog-relp` for
 * RELP), run in the foreground on loopback ports with its own config and work directory. Every
 * message it receives is written to one file, one raw message per line.
 *
 * `.ci/run` installs the packages when they are missing; a test that needs rsyslog fails (does
 * not skip) when it cannot start.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.js';

export interface RsyslogOptions {
  udp?: boolean;
  relp?: boolean;
  /** imtcp's octet-counted frame limit (rsyslog's default is 200000). */
  tcpMaxFrameSize?: number;
  /** rsyslog's global maxMessageSize (its default is 8k). */
  maxMessageSize?: string;
  /**
   * A Direct main queue: each message is written to the output file before the input takes the
   * next, so what imrelp acknowledged survives a SIGKILL (the default in-memory queue may lose it).
   */
  directQueue?: boolean;
}

export interface Rsyslog {
  udpPort: number;
  tcpPort: number;
  relpPort: number;
  /** Raw messages received so far, one per element. */
  lines(): string[];
  /** Graceful stop (SIGTERM): rsyslog finishes what it took in. The ports stay assigned. */
  stop(): Promise<void>;
  /** SIGKILL: anything rsyslog held in memory is lost. */
  kill(): Promise<void>;
  /** SIGSTOP / SIGCONT: the process stays, but reads nothing while paused. */
  pause(): void;
  resume(): void;
  /** Starts again on the same ports, appending to the same output file. */
  start(): Promise<void>;
  /** Stops and removes the work directory. */
  close(): Promise<void>;
}

const RSYSLOGD = process.env.RSYSLOGD ?? '/usr/sbin/rsyslogd';

async function freeUdpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const sock = createSocket('udp4');
    sock.once('error', reject);
    sock.bind(0, '127.0.0.1', () => {
      const { port } = sock.address();
      sock.close(() => resolve(port));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection({ host: '127.0.0.1', port });
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });
}

export async function startRsyslog(opts: RsyslogOptions = {}): Promise<Rsyslog> {
  const dir = mkdtempSync(join(tmpdir(), 'sealtrail-rsyslog-'));
  const out = join(dir, 'received.log');
  writeFileSync(out, '');
  // A TCP input is always there: it is how readiness is probed, even for a UDP-only receiver.
  const tcpPort = await freePort();
  const udpPort = opts.udp ? await freeUdpPort() : 0;
  const relpPort = opts.relp ? await freePort() : 0;
  const conf = [
    `global(workDirectory="${dir}"${opts.maxMessageSize ? ` maxMessageSize="${opts.maxMessageSize}"` : ''})`,
    ...(opts.directQueue ? ['main_queue(queue.type="Direct")'] : []),
    'module(load="imtcp")',
    `input(type="imtcp" port="${tcpPort}" address="127.0.0.1"${opts.tcpMaxFrameSize ? ` maxFrameSize="${opts.tcpMaxFrameSize}"` : ''})`,
    ...(opts.udp ? ['module(load="imudp")', `input(type="imudp" port="${udpPort}" address="127.0.0.1")`] : []),
    ...(opts.relp ? ['module(load="imrelp")', `input(type="imrelp" port="${relpPort}" address="127.0.0.1")`] : []),
    'template(name="raw" type="string" string="%rawmsg%\\n")',
    `action(type="omfile" file="${out}" template="raw" flushOnTXEnd="on" asyncWriting="off")`,
    '',
  ].join('\n');
  const confPath = join(dir, 'rsyslog.conf');
  writeFileSync(confPath, conf);

  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();

  const start = async () => {
    const proc = spawn(RSYSLOGD, ['-n', '-f', confPath, '-i', join(dir, 'rsyslogd.pid')], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    proc.stderr!.on('data', (d) => { stderr += d; });
    child = proc;
    exited = new Promise((resolve) => proc.once('exit', () => resolve()));
    const failed = new Promise<never>((_, reject) => {
      proc.once('error', (err) => reject(new Error(`rsyslogd could not start (${RSYSLOGD}): ${err.message}; install rsyslog and rsyslog-relp`)));
      proc.once('exit', (code) => reject(new Error(`rsyslogd exited with ${code}: ${stderr.trim()}`)));
    });
    failed.catch(() => {});
    const deadline = Date.now() + 10_000;
    for (;;) {
      const ready = await Promise.race([canConnect(tcpPort), failed]);
      if (ready && (!relpPort || await canConnect(relpPort))) return;
      if (Date.now() > deadline) throw new Error(`rsyslogd did not listen within 10 s: ${stderr.trim()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  const signal = async (sig: NodeJS.Signals) => {
    const proc = child;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    proc.kill(sig);
    await exited;
    child = undefined;
  };

  await start();
  return {
    udpPort,
    tcpPort,
    relpPort,
    lines: () => readFileSync(out, 'utf8').split('\n').filter((l) => l !== ''),
    stop: () => signal('SIGTERM'),
    kill: () => signal('SIGKILL'),
    pause: () => { child?.kill('SIGSTOP'); },
    resume: () => { child?.kill('SIGCONT'); },
    start,
    async close() {
      child?.kill('SIGCONT');
      await signal('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
