import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import { describe, it } from 'node:test';
import { connect } from '../../../src/audit/devices/net/connection.js';
import { eventually, listenStream, numberedLines } from './helpers.js';

describe('stream connection', () => {
  it('a batch the kernel takes at once needs nothing to wait for', async () => {
    const listener = await listenStream();
    const conn = await connect({ transport: 'tcp', host: '127.0.0.1', port: listener.port }, 1000);
    const lines = numberedLines(100);
    assert.equal(conn.send(lines.slice(0, 50), 1000), undefined);
    assert.equal(conn.send(lines.slice(50), 1000), undefined);
    await eventually(() => listener.received() === lines.join(''));
    conn.destroy();
    await listener.stop();
  });

  it('a batch the peer cannot take yet settles once the kernel has taken all of it, in order', async () => {
    const peers: Socket[] = [];
    const chunks: Buffer[] = [];
    const server = createServer((socket) => {
      socket.pause();
      socket.on('data', (c: Buffer) => chunks.push(c));
      peers.push(socket);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const conn = await connect({ transport: 'tcp', host: '127.0.0.1', port: (server.address() as { port: number }).port }, 1000);
    // Far more than the kernel's socket buffers hold while the peer does not read (its receive
    // buffer grows up to tcp_rmem's maximum, 32 MiB here).
    const big = 'x'.repeat(64 * 1024 * 1024) + '\n';
    const pending = conn.send([big, 'after\n'], 10_000);
    assert.ok(pending !== undefined, 'a write the kernel could not take at once returns a promise');
    let settled = false;
    void pending.then(() => { settled = true; });
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(settled, false, 'nothing settles while the bytes wait in the stream');
    await eventually(() => peers.length === 1);
    peers[0].resume();
    await pending;
    await eventually(() => Buffer.concat(chunks).length === big.length + 'after\n'.length, 10_000);
    assert.equal(Buffer.concat(chunks).subarray(-8).toString(), 'x\nafter\n');
    conn.destroy();
    for (const p of peers) p.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  it('refuses to write on a connection that is closed', async () => {
    const listener = await listenStream();
    const conn = await connect({ transport: 'tcp', host: '127.0.0.1', port: listener.port }, 1000);
    conn.destroy();
    assert.equal(conn.alive, false);
    assert.throws(() => conn.send(['late\n'], 1000), /the connection is closed/);
    await listener.stop();
  });
});
