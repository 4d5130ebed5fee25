/** Real local listeners for audit sinks: TCP, UDP, unix, HTTP. Each collects what it receives. */
import { createSocket } from 'node:dgram';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type Server, type Socket } from 'node:net';

export interface Collector {
  text(): string;
  lines(): string[];
  close(): Promise<void>;
}

export interface TcpCollector extends Collector {
  port: number;
  /** Stops listening and drops connections (the port stays reserved for restart()). */
  stop(): Promise<void>;
  restart(): Promise<void>;
}

export async function tcpCollector(): Promise<TcpCollector> {
  let buf = '';
  let server: Server;
  const sockets = new Set<Socket>();
  const listen = (port: number) => new Promise<number>((resolve) => {
    server = createNetServer((s) => {
      sockets.add(s);
      s.on('data', (d) => { buf += d; });
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {});
    });
    server.listen(port, '127.0.0.1', () => resolve((server.address() as { port: number }).port));
  });
  const port = await listen(0);
  let listening = true;
  const stop = () => new Promise<void>((r) => {
    if (!listening) return r();
    listening = false;
    for (const s of sockets) s.destroy();
    server.close(() => r());
  });
  return {
    port,
    text: () => buf,
    lines: () => buf.split('\n').filter(Boolean),
    stop,
    restart: async () => { if (!listening) { await listen(port); listening = true; } },
    close: stop,
  };
}

export async function udpCollector(): Promise<Collector & { port: number; messages: string[] }> {
  const messages: string[] = [];
  const sock = createSocket('udp4');
  sock.on('message', (m) => messages.push(m.toString()));
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  return {
    port: sock.address().port,
    messages,
    text: () => messages.join('\n'),
    lines: () => messages,
    close: () => new Promise<void>((r) => sock.close(() => r())),
  };
}

export async function httpCollector(handler?: (req: IncomingMessage, res: ServerResponse, body: string) => boolean): Promise<Collector & { url: string; requests: { headers: IncomingMessage['headers']; body: string }[] }> {
  const requests: { headers: IncomingMessage['headers']; body: string }[] = [];
  const server = createHttpServer((req, res) => {
    let body = '';
    req.on('data', (d) => { body += d; });
    req.on('end', () => {
      if (handler && handler(req, res, body)) return;
      requests.push({ headers: req.headers, body });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}/ingest`,
    requests,
    text: () => requests.map((r) => r.body).join(''),
    lines: () => requests.flatMap((r) => r.body.split('\n').filter(Boolean)),
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}
