/** Loopback TCP ports for tests. */
import { createServer } from 'node:net';

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
