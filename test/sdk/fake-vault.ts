/**
 * A tiny Vault-like HTTP server for client tests: records every request exactly as received and
 * answers from a route table keyed by "METHOD /v1/path?query" (or "METHOD /v1/path"); anything
 * unrouted gets Vault's 404 `{"errors":[]}`.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  /** Path and query as sent, e.g. `/v1/secret/data/a?version=2`. */
  url: string;
  headers: IncomingHttpHeaders;
  /** The raw body text ('' when none). */
  body: string;
}

export interface FakeReply {
  status: number;
  body?: unknown;
  /** Send this text verbatim instead of JSON. */
  rawBody?: string;
}

export type Routes = Record<string, FakeReply | ((req: RecordedRequest) => FakeReply)>;

export interface FakeVault {
  address: string;
  requests: RecordedRequest[];
  routes: Routes;
  close(): Promise<void>;
}

export async function startFakeVault(routes: Routes = {}): Promise<FakeVault> {
  const requests: RecordedRequest[] = [];
  const fake: FakeVault = { address: '', requests, routes, close: async () => undefined };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const recorded: RecordedRequest = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      requests.push(recorded);
      const key = `${recorded.method} ${recorded.url}`;
      const route = fake.routes[key] ?? fake.routes[key.split('?')[0]];
      const reply: FakeReply = typeof route === 'function' ? route(recorded) : route ?? { status: 404, body: { errors: [] } };
      if (reply.status === 204) {
        res.writeHead(204).end();
        return;
      }
      const text = reply.rawBody ?? JSON.stringify(reply.body ?? {});
      res.writeHead(reply.status, { 'content-type': reply.rawBody !== undefined ? 'text/plain' : 'application/json' }).end(text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.address = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return fake;
}

/** A full Vault envelope around `data`, as the server sends it. */
export function envelope(data: unknown, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { request_id: 'req-1', lease_id: '', renewable: false, lease_duration: 0, data, wrap_info: null, warnings: null, auth: null, ...extra };
}

/** The headers the SDK chose (node adds host/connection/etc.; those are not the SDK's). */
export function sdkHeaders(req: RecordedRequest): Record<string, string | undefined> {
  const h = req.headers;
  const out: Record<string, string | undefined> = { 'x-vault-request': h['x-vault-request'] as string | undefined };
  if (h['x-vault-token'] !== undefined) out['x-vault-token'] = h['x-vault-token'] as string;
  if (h['content-type'] !== undefined) out['content-type'] = h['content-type'];
  return out;
}
