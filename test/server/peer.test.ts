import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { peerOf } from '../../src/server/peer.js';

const fromSocket = (remoteAddress: string | undefined) => peerOf({ socket: { remoteAddress, remotePort: 4711 } } as unknown as IncomingMessage);

test('the connection\'s address is recorded in the one spelling a forwarded address gets', () => {
  const cases: Array<[string | undefined, string]> = [
    ['127.0.0.1', '127.0.0.1'],
    ['::ffff:127.0.0.1', '127.0.0.1'],
    ['0:0:0:0:0:ffff:7f00:1', '127.0.0.1'],
    ['2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
    ['::1', '::1'],
    // A link-local peer keeps the interface Node names, its address canonical.
    ['fe80:0:0:0:0:0:0:1%eth0', 'fe80::1%eth0'],
    [undefined, ''],
  ];
  for (const [socket, recorded] of cases) assert.deepEqual(fromSocket(socket), { remoteAddress: recorded, remotePort: 4711 }, String(socket));
});
