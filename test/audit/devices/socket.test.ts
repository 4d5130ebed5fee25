import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createSocketSink } from '../../../src/audit/devices/socket/index.js';
import { assertRefusesOptions, eventually, listenStream, numberedLines, testContext } from './helpers.js';

const unixPath = () => join(tmpdir(), `sealtrail-sock-${process.pid}-${Math.random().toString(36).slice(2)}.sock`);

describe('socket sink', () => {
  it('sends lines over TCP in order', async () => {
    const listener = await listenStream();
    const sink = await createSocketSink(testContext({ address: `127.0.0.1:${listener.port}` }));
    const lines = numberedLines(1000);
    await Promise.all(lines.map((l) => sink.write(l)));
    await eventually(() => listener.received().length === lines.join('').length);
    assert.equal(listener.received(), lines.join(''));
    await sink.close();
    await listener.stop();
  });

  it('sends lines over a unix stream socket', async () => {
    const path = unixPath();
    const listener = await listenStream({ path });
    const sink = await createSocketSink(testContext({ address: path, socket_type: 'unix' }));
    await sink.write('one é\n');
    await Promise.all([sink.write('two 😀\n'), sink.write('three\n')]);
    await eventually(() => listener.received() === 'one é\ntwo 😀\nthree\n');
    await sink.close();
    await listener.stop();
  });

  it('sends one UDP datagram per line', async () => {
    const server = createSocket('udp4');
    const datagrams: string[] = [];
    server.on('message', (msg) => datagrams.push(msg.toString('utf8')));
    await new Promise<void>((resolve) => server.bind(0, '127.0.0.1', resolve));
    const sink = await createSocketSink(testContext({ address: `127.0.0.1:${server.address().port}`, socket_type: 'udp' }));
    const lines = numberedLines(20);
    await Promise.all(lines.map((l) => sink.write(l)));
    await eventually(() => datagrams.length === 20);
    assert.deepEqual(datagrams, lines);
    await sink.close();
    server.close();
  });

  it('fails while the listener is down and recovers by itself when it is back', async () => {
    const listener = await listenStream();
    const port = listener.port;
    const ctx = testContext({ address: `127.0.0.1:${port}`, write_timeout: '500ms' });
    const sink = await createSocketSink(ctx);
    await sink.write('before\n');
    await eventually(() => listener.received() === 'before\n');
    await listener.stop();
    await new Promise((r) => setTimeout(r, 20)); // let the client see the close
    await assert.rejects(sink.write('while-down\n'), /socket audit device: write to tcp:\/\/127\.0\.0\.1:\d+ failed: ECONNREFUSED/);
    await assert.rejects(sink.write('still-down\n'), /ECONNREFUSED/);
    assert.deepEqual(ctx.logs.map((l) => [l.level, l.msg]), [['warn', 'socket audit device cannot write to its destination']]);

    const back = await listenStream({ port });
    await sink.write('after\n');
    await eventually(() => back.received() === 'after\n');
    assert.deepEqual(ctx.logs.map((l) => l.level), ['warn', 'info']);
    await sink.close();
    await back.stop();
  });

  it('rejects a write the listener never reads after write_timeout, then reconnects', async () => {
    const stalled: Socket[] = [];
    const server = createServer((socket) => { socket.pause(); stalled.push(socket); });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    const sink = await createSocketSink(testContext({ address: `127.0.0.1:${port}`, write_timeout: '200ms' }));
    // Far more than the kernel's socket buffers can hold, so the write cannot complete.
    const huge = 'x'.repeat(48 * 1024 * 1024) + '\n';
    const started = Date.now();
    await assert.rejects(sink.write(huge), /timed out after 200ms/);
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= 390 && elapsed < 3000, `two attempts of 200ms took ${elapsed}ms`);
    assert.equal(stalled.length, 2); // the retry used a fresh connection
    for (const s of stalled) s.destroy();
    await sink.close();
    await new Promise((resolve) => server.close(resolve));
  });

  it('validates its options', async () => {
    const table: [Record<string, string>, string][] = [
      [{}, 'socket audit device: option "address" is required'],
      [{ address: 'localhost' }, 'socket audit device: option "address" must be "host:port" for socket_type tcp'],
      [{ address: '127.0.0.1:70000', socket_type: 'udp' }, 'socket audit device: option "address" must be "host:port" for socket_type udp'],
      [{ address: '127.0.0.1:9090', socket_type: 'sctp' }, 'socket audit device: option "socket_type" must be "tcp", "udp" or "unix"'],
      [{ address: '127.0.0.1:9090', write_timeout: 'never' }, 'socket audit device: option "write_timeout" must be a duration such as "250ms", "2s" or "24h"'],
    ];
    await assertRefusesOptions(createSocketSink, table);
    // Lazy: a valid address with nothing listening is accepted at enable time.
    const lazy = await createSocketSink(testContext({ address: '[::1]:9' }));
    await lazy.close();
  });
});
