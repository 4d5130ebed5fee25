/**
 * Vault audit lines as a file device writes them, built with Sealtrail's own formatter
 * (src/audit/format-json.ts): a KV read by a token, its request and response entries.
 */
import { formatJsonFromBlocks, writeBlock } from '../../src/audit/format-json.js';
import { rfc3339Nano } from '../../src/lib/time.js';

export interface VaultPairOptions {
  timeNs: bigint;
  requestId: string;
  accessor?: string;
  entityId?: string;
  path?: string;
  remoteAddress?: string;
  error?: string;
}

const hmac = (seed: string) => 'hmac-sha256:' + Buffer.from(seed.padEnd(32, '-')).toString('hex').slice(0, 64);

/** The request line and the response line, each with its `\n`. */
export function vaultAuditPair(o: VaultPairOptions): [string, string] {
  const auth = writeBlock({
    client_token: hmac(`token-${o.requestId}`),
    accessor: o.accessor ?? hmac('accessor'),
    display_name: 'token-app',
    policies: ['default', 'app'],
    token_policies: ['default', 'app'],
    entity_id: o.entityId ?? 'b2c3d4e5-0000-4000-8000-000000000001',
    token_type: 'service',
    token_ttl: 2764800,
    token_issue_time: '2026-12-01T10:00:00Z',
  }, 'auth');
  const request = writeBlock({
    id: o.requestId,
    operation: 'read',
    mount_point: 'secret/',
    mount_type: 'kv',
    mount_accessor: 'kv_5f0a7e21',
    client_token: hmac(`token-${o.requestId}`),
    client_token_accessor: o.accessor ?? hmac('accessor'),
    namespace: { id: 'root' },
    path: o.path ?? 'secret/data/app/config',
    remote_address: o.remoteAddress ?? '127.0.0.1',
    remote_port: 53122,
  }, 'request');
  const response = writeBlock({
    mount_point: 'secret/',
    mount_type: 'kv',
    mount_accessor: 'kv_5f0a7e21',
    data: o.error ? undefined : { data: { password: hmac('pw'), user: hmac('user') }, metadata: { created_time: hmac('ct'), version: 3 } },
  }, 'response');
  const time = rfc3339Nano(o.timeNs);
  return [
    formatJsonFromBlocks(time, 'request', auth, request, undefined, o.error),
    formatJsonFromBlocks(rfc3339Nano(o.timeNs + 1_234_567n), 'response', auth, request, response, o.error),
  ];
}
