/**
 * A TCP proxy to stand between a node and PostgreSQL, so a test can cut the node off: `cut()`
 * destroys every open connection and from then on accepts new ones but never forwards a byte (a
 * black hole, as a real partition looks), until `heal()`. `holdAt(marker)` stops one statement
 * on its way (the first bytes from the node that contain `marker`, and what follows them on that
 * connection) until `release()`, so a test can order two nodes' statements. Loopback only.
 */
import { createServer, connect, type Socket } from 'node:net';

export interface TcpProxy {
  port: number;
  cut(): void;
  heal(): void;
  /** Resolves once bytes from the node containing `marker` are held back (they are not forwarded). */
  holdAt(marker: string): Promise<void>;
  /** Forwards what `holdAt` held, in order, and forwards as usual from then on. */
  release(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let partitioned = false;
  let hold: { marker: Buffer; held: () => void } | undefined;
  const releases: Array<() => void> = [];
  const track = (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => s.destroy());
  };
  const server = createServer((client) => {
    track(client);
    if (partitioned) return; // held open, silent
    const upstream = connect(targetPort, '127.0.0.1');
    track(upstream);
    let queue: Buffer[] | undefined;
    client.on('data', (chunk: Buffer) => {
      if (queue) return void queue.push(chunk);
      if (hold && chunk.includes(hold.marker)) {
        const { held } = hold;
        hold = undefined;
        queue = [chunk];
        releases.push(() => {
          for (const c of queue ?? []) upstream.write(c);
          queue = undefined;
        });
        held();
        return;
      }
      upstream.write(chunk);
    });
    upstream.pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    cut() {
      partitioned = true;
      for (const s of sockets) s.destroy();
    },
    heal() {
      partitioned = false;
    },
    holdAt: (marker) => new Promise<void>((held) => { hold = { marker: Buffer.from(marker), held }; }),
    release() {
      for (const r of releases.splice(0)) r();
    },
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}
