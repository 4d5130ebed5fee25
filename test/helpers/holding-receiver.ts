/**
 * An http audit receiver that answers every batch at once except the first one holding `marker`,
 * which it holds until `release()`: a request whose entry is in that batch stays in flight.
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HoldingReceiver {
  url: string;
  /** Resolves once the held batch arrived. */
  held: Promise<void>;
  release(): void;
  close(): Promise<void>;
}

export async function startHoldingReceiver(marker: string): Promise<HoldingReceiver> {
  let holding: ServerResponse | undefined;
  let heldSeen!: () => void;
  const held = new Promise<void>((r) => { heldSeen = r; });
  const srv = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => { body += c.toString(); });
    req.on('end', () => {
      if (!holding && body.includes(marker)) { holding = res; heldSeen(); return; }
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(srv.address() as AddressInfo).port}/`,
    held,
    release: () => { if (holding && !holding.headersSent) holding.writeHead(200).end(); },
    close: () => new Promise<void>((r) => { srv.closeAllConnections(); srv.close(() => r()); }),
  };
}
