/** Loopback TCP ports for tests. */
import { connect, createServer, type Socket } from 'node:net';

/** A free loopback TCP port (the OS picks it; closed again before it is used), so nothing answers there. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** A connection to a loopback port, or undefined when it is refused (or cannot be made: no descriptor left). */
export function tryConnect(port: number): Promise<Socket | undefined> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => resolve(socket));
    socket.once('error', () => resolve(undefined));
  });
}
