/**
 * A scripted RELP receiver for the relp device's failure tests (a real rsyslog covers the rest):
 * it parses the client's frames and lets each test decide, per connection, what to answer —
 * including things no honest receiver sends.
 */
import { createServer, type Server, type Socket } from 'node:net';

export interface ClientFrame {
  txnr: number;
  command: string;
  data: string;
}

export interface FakeConnection {
  /** Connection number, from 1. */
  index: number;
  socket: Socket;
  answer(txnr: number, text?: string): void;
}

/** Called per frame received; `open` is answered by the fake itself unless `answerOpen` is false. */
export type FrameHandler = (frame: ClientFrame, conn: FakeConnection) => void;

export interface FakeRelpServer {
  port: number;
  /** Every syslog message received, over all connections, in order. */
  messages: string[];
  connections: number;
  close(): Promise<void>;
}

const OPEN_ANSWER = '200 OK\nrelp_version=0\nrelp_software=fake\ncommands=syslog';

export async function fakeRelpServer(onFrame: FrameHandler, options: { answerOpen?: boolean } = {}): Promise<FakeRelpServer> {
  const messages: string[] = [];
  const sockets = new Set<Socket>();
  let connections = 0;
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    const conn: FakeConnection = {
      index: ++connections,
      socket,
      answer(txnr, text = '200 OK') {
        const frame = text === '' ? `${txnr} rsp 0\n` : `${txnr} rsp ${Buffer.byteLength(text, 'latin1')} ${text}\n`;
        if (!socket.destroyed) socket.write(Buffer.from(frame, 'latin1'));
      },
    };
    let buf = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      buf += chunk;
      for (;;) {
        const m = /^(\d+) ([a-z]+) (\d+)[ \n]/.exec(buf);
        if (!m) return;
        const len = Number(m[3]);
        const start = m[0].length;
        const end = len === 0 ? start - 1 : start + len;
        if (buf.length <= end) return;
        const frame = { txnr: Number(m[1]), command: m[2], data: buf.slice(start, start + len) };
        buf = buf.slice(end + 1);
        if (frame.command === 'syslog') messages.push(Buffer.from(frame.data, 'latin1').toString('utf8'));
        if (frame.command === 'open' && options.answerOpen !== false) conn.answer(frame.txnr, OPEN_ANSWER);
        else onFrame(frame, conn);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    messages,
    get connections() { return connections; },
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}
