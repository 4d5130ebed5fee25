import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createSocketSink } from '../../../src/audit/devices/socket/index.js';
import { assertRefusesOptions, eventually, listenStream, numberedLines, testContext } from './helpers.js';

const unixPath = () => join(tmpdir(), `sealtrail-sock-${process.pid}-${Math.random().toString(36).slice(2)}.sock`);


/** A TCP listener whose peers accept and never read (a receiver that stopped reading). */
async function pausedPeers(): Promise<{ peers: Socket[]; server: Server; port: number }> {
  const peers: Socket[] = [];
  const server = createServer((socket) => { socket.pause(); peers.push(socket); });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { peers, server, port: (server.address() as { port: number }).port };
}

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

  it('fails while the listener is down and recovers by itself when it is back; the lost connection is counted', async () => {
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
    // The connection ended with a line in its kernel window: nobody can tell whether it was read.
    assert.deepEqual(ctx.logs.map((l) => [l.level, l.msg]), [['warn', 'socket audit device lost a connection with entries on it']]);
    assert.deepEqual(sink.losses!(), { connections: 1, abandonedEntries: 0, abandonedBytes: 0, possiblyLostEntries: 1, possiblyLostBytes: 7 });

    const back = await listenStream({ port });
    await sink.write('after\n');
    await eventually(() => back.received() === 'after\n');
    assert.deepEqual(ctx.logs.map((l) => l.level), ['warn', 'info']);
    await sink.close();
    await back.stop();
  });

  it('a peer that stops reading: the late batch fails after write_timeout, later ones at once, and everything written arrives once it reads', async () => {
    const peers: Socket[] = [];
    const chunks: Buffer[] = [];
    const server = createServer((socket) => { socket.pause(); socket.on('data', (c: Buffer) => chunks.push(c)); peers.push(socket); });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    const ctx = testContext({ address: `127.0.0.1:${port}`, write_timeout: '200ms', max_entry_bytes: String(1 << 20) });
    const sink = await createSocketSink(ctx);
    const line = (i: number) => `${String(i).padStart(8, '0')}${'x'.repeat(256 * 1024 - 9)}\n`;
    const outcomes: ('ok' | 'timeout' | 'backlog')[] = [];
    // Enough 256 KiB lines to fill the kernel's buffers of a peer that does not read (bounded).
    for (let i = 0; i < 400 && outcomes.filter((o) => o === 'backlog').length < 2; i++) {
      outcomes.push(await sink.write(line(i)).then(() => 'ok' as const, (err: Error) =>
        /did not take the batch within 200ms/.test(err.message) ? 'timeout' as const : /has not taken \d+ bytes/.test(err.message) ? 'backlog' as const : assert.fail(err.message)));
    }
    const taken = outcomes.indexOf('timeout');
    assert.ok(taken > 0, `the kernel took some lines first: ${outcomes.join(',')}`);
    assert.deepEqual(outcomes.slice(taken), ['timeout', 'backlog', 'backlog']);
    assert.equal(peers.length, 1, 'the connection was kept: no reconnect');
    assert.deepEqual(ctx.logs.map((l) => l.level), ['warn']);

    peers[0].resume(); // the peer catches up: what was written (the late batch too) arrives, in order
    const expected = Array.from({ length: taken + 1 }, (_, i) => line(i)).join('');
    await eventually(() => Buffer.concat(chunks).length === expected.length, 10_000);
    assert.equal(Buffer.concat(chunks).toString(), expected);
    await sink.write('after\n');
    await eventually(() => Buffer.concat(chunks).toString().endsWith('after\n'));
    assert.deepEqual(ctx.logs.map((l) => l.level), ['warn', 'info']);
    assert.equal(sink.losses!().connections, 0);
    await sink.close();
    for (const p of peers) p.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  it('a peer killed while it was not reading: the queued and kernel-held entries are counted, and the device reconnects', async () => {
    const { peers, server, port } = await pausedPeers();
    const ctx = testContext({ address: `127.0.0.1:${port}`, write_timeout: '200ms', max_entry_bytes: String(1 << 20) });
    const sink = await createSocketSink(ctx);
    const line = 'y'.repeat(256 * 1024 - 1) + '\n';
    let sent = 0;
    for (let i = 0; i < 400; i++) {
      const ok = await sink.write(line).then(() => true, () => false);
      if (!ok) break;
      sent++;
    }
    assert.ok(sent > 0 && sent < 400, `${sent} lines taken before the kernel's buffers filled`);
    peers[0].resetAndDestroy(); // kill -9: whatever it held is gone
    await eventually(() => sink.losses!().connections === 1);
    const losses = sink.losses!();
    assert.equal(losses.abandonedEntries, 1, 'the batch that timed out was still queued here');
    assert.equal(losses.abandonedBytes, line.length);
    assert.equal(losses.possiblyLostEntries, sent, 'every line the kernel took is within its buffers');
    assert.equal(losses.possiblyLostBytes, sent * line.length);
    peers.length = 0;
    const server2 = createServer((socket) => { peers.push(socket); socket.resume(); });
    await new Promise<void>((resolve) => server.close(() => server2.listen(port, '127.0.0.1', resolve)));
    await sink.write('after\n');
    assert.equal(peers.length, 1);
    assert.deepEqual(ctx.logs.map((l) => l.level), ['warn', 'info'], 'one line for the episode, one for the recovery');
    await sink.close();
    for (const p of peers) p.destroy();
    await new Promise((resolve) => server2.close(resolve));
  });

  it('a reopen or close abandoning a backlogged connection logs it and counts it, although the device was already failing', async () => {
    const { peers, server, port } = await pausedPeers();
    const ctx = testContext({ address: `127.0.0.1:${port}`, write_timeout: '200ms', max_entry_bytes: String(1 << 20) });
    const sink = await createSocketSink(ctx);
    const line = 'z'.repeat(256 * 1024 - 1) + '\n';
    const backlog = async () => {
      for (let i = 0; i < 400; i++) if (!(await sink.write(line).then(() => true, () => false))) return;
      assert.fail('the peer took every line');
    };
    const abandoned = 'socket audit device abandoned a connection with entries on it';

    await backlog();
    assert.deepEqual(ctx.logs.map((l) => l.msg), ['socket audit device cannot write to its destination']);
    await sink.reopen(); // SIGHUP
    assert.deepEqual(ctx.logs.map((l) => [l.level, l.msg]).slice(1), [['warn', abandoned]]);
    const first = sink.losses!();
    assert.equal(first.connections, 1);
    assert.equal(first.abandonedEntries, 1, 'the batch that timed out');
    assert.equal(first.abandonedBytes, line.length);
    assert.ok(first.possiblyLostEntries > 0);
    assert.equal((ctx.logs[1].obj as { abandonedBytes: number }).abandonedBytes, line.length, 'the line carries the counts');

    await backlog(); // a new connection, which takes lines (a recovery) until backlogged again
    await sink.close(); // audit disable, or the device replaced by SIGHUP
    assert.deepEqual(ctx.logs.map((l) => l.msg).slice(2), ['socket audit device writes again', 'socket audit device cannot write to its destination', abandoned]);
    assert.equal(sink.losses!().connections, 2);
    for (const p of peers) p.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  it('a peer that closes every connection at once: every loss is counted, and logged as one episode, not once per connection', async () => {
    const server = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    const ctx = testContext({ address: `127.0.0.1:${port}` });
    const sink = await createSocketSink(ctx);
    for (let i = 1; i <= 20; i++) {
      await sink.write(`line-${i}\n`).catch(() => undefined);
      await eventually(() => sink.losses!().connections === i);
    }
    assert.deepEqual(ctx.logs.map((l) => [l.level, l.msg]), [
      ['warn', 'socket audit device lost a connection with entries on it'],
      ['info', 'socket audit device writes again'],
    ]);
    await sink.close();
    await new Promise((resolve) => server.close(resolve));
  });

  it('refuses an entry over max_entry_bytes and keeps sending the next ones', async () => {
    const listener = await listenStream();
    const sink = await createSocketSink(testContext({ address: `127.0.0.1:${listener.port}`, max_entry_bytes: '100' }));
    await assert.rejects(sink.write('é'.repeat(50) + '\n'), (err: NodeJS.ErrnoException) => {
      assert.equal(err.code, 'EMSGSIZE');
      assert.equal(err.message, 'socket audit device: the entry is 101 bytes, over max_entry_bytes (100); not sent');
      return true;
    });
    await Promise.all([sink.write('a'.repeat(99) + '\n'), sink.write('b\n')]);
    await eventually(() => listener.received() === 'a'.repeat(99) + '\nb\n');
    await sink.close();
    await listener.stop();
  });

  it('sends the reduced entry in place of one over max_entry_bytes, and fails the entry only when that is over too', async () => {
    const listener = await listenStream();
    const sink = await createSocketSink(testContext({ address: `127.0.0.1:${listener.port}`, max_entry_bytes: '100' }));
    const asked: number[] = [];
    await sink.write('é'.repeat(50) + '\n', (bytes) => { asked.push(bytes); return 'reduced\n'; });
    assert.deepEqual(asked, [101], 'the reducer is told the full entry\'s size in bytes');
    await sink.write('fits\n', () => assert.fail('an entry that fits is sent whole'));
    await assert.rejects(sink.write('x'.repeat(200) + '\n', () => 'y'.repeat(150) + '\n'), (err: NodeJS.ErrnoException) => {
      assert.equal(err.code, 'EMSGSIZE');
      assert.equal(err.message, 'socket audit device: the entry is 201 bytes (151 bytes reduced), over max_entry_bytes (100); not sent');
      return true;
    });
    await sink.write('next\n');
    await eventually(() => listener.received() === 'reduced\nfits\nnext\n');
    await sink.close();
    await listener.stop();
  });

  it('validates its options', async () => {
    const table: [Record<string, string>, string][] = [
      [{}, 'socket audit device: option "address" is required'],
      [{ address: 'localhost' }, 'socket audit device: option "address" must be "host:port" for socket_type tcp'],
      [{ address: '127.0.0.1:70000', socket_type: 'udp' }, 'socket audit device: option "address" must be "host:port" for socket_type udp'],
      [{ address: '127.0.0.1:9090', socket_type: 'sctp' }, 'socket audit device: option "socket_type" must be "tcp", "udp" or "unix"'],
      [{ address: '127.0.0.1:9090', write_timeout: 'never' }, 'socket audit device: option "write_timeout" must be a duration such as "250ms", "2s" or "24h"'],
      [{ address: '127.0.0.1:9090', max_entry_bytes: '0' }, 'socket audit device: option "max_entry_bytes" must be at least 1'],
      [{ address: '127.0.0.1:9090', socket_type: 'udp', max_entry_bytes: '65508' }, 'socket audit device: option "max_entry_bytes" must be at most 65507'],
    ];
    await assertRefusesOptions(createSocketSink, table);
    // Lazy: a valid address with nothing listening is accepted at enable time.
    const lazy = await createSocketSink(testContext({ address: '[::1]:9' }));
    await lazy.close();
  });
});
