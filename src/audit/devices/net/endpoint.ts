/** Where a network sink sends its bytes, parsed from device options. */
import { isIP } from 'node:net';

export type Endpoint =
  | { transport: 'tcp'; host: string; port: number }
  | { transport: 'udp'; host: string; port: number }
  | { transport: 'unix'; path: string };

/** Describes an endpoint for logs and errors (addresses are not secret). */
export function describeEndpoint(endpoint: Endpoint): string {
  if (endpoint.transport === 'unix') return `unix:${endpoint.path}`;
  const host = isIP(endpoint.host) === 6 ? `[${endpoint.host}]` : endpoint.host;
  return `${endpoint.transport}://${host}:${endpoint.port}`;
}

/**
 * Parses `host:port` or `[v6]:port`. Returns undefined when malformed so the caller can name its
 * own option in the error.
 */
export function parseHostPort(text: string): { host: string; port: number } | undefined {
  const m = /^\[([^\]]+)\]:(\d{1,5})$/.exec(text) ?? /^([^:\s[\]]+):(\d{1,5})$/.exec(text);
  if (!m) return undefined;
  const port = Number(m[2]);
  if (port < 1 || port > 65535) return undefined;
  if (m[0].startsWith('[') && isIP(m[1]) !== 6) return undefined;
  return { host: m[1], port };
}
