import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import { after, before, describe, it } from 'node:test';
import { createRelpSink, parseRelpOptions } from '../../../src/audit/devices/relp/index.js';
import { formatMessage, headerTail } from '../../../src/audit/devices/syslog/rfc5424.js';
import { startRsyslog, type Rsyslog } from '../../helpers/rsyslog.js';
import { assertRefusesOptions, causeCodes, eventually, numberedLines, testContext } from './helpers.js';
import { fakeRelpServer } from './relp-fake-server.js';

const RFC5424 = /^<(\d{1,3})>1 \d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z (\S+) (\S+) (\d+) audit - (.*)$/s;
const msgOf = (message: string) => RFC5424.exec(message)?.[5];

describe('relp options', () => {
  it('has documented defaults and validates every option', async () => {
    assert.deepEqual(parseRelpOptions({ address: '127.0.0.1:2514' }), {
      target: { host: '127.0.0.1', port: 2514 }, facility: 4, tag: 'sealtrail', timeoutMs: 2000, windowSize: 128, maxEntryBytes: 8096,
    });
    assert.deepEqual(parseRelpOptions({ address: '[::1]:2514', facility: 'local7', tag: 'st', write_timeout: '500ms', window_size: '1', max_entry_bytes: '65536' }), {
      target: { host: '::1', port: 2514 }, facility: 23, tag: 'st', timeoutMs: 500, windowSize: 1, maxEntryBytes: 65536,
    });
    const table: [Record<string, string>, string][] = [
      [{}, 'relp audit device: option "address" is required'],
      [{ address: 'tcp://127.0.0.1:2514' }, 'relp audit device: option "address" must be "host:port" or "[v6]:port"'],
      [{ address: '127.0.0.1:0' }, 'relp audit device: option "address" must be "host:port" or "[v6]:port"'],
      [{ address: '127.0.0.1:2514', facility: 'SECURITY' }, 'relp audit device: option "facility" must be a syslog facility such as AUTH, DAEMON or LOCAL0..LOCAL7'],
      [{ address: '127.0.0.1:2514', tag: 'two words' }, 'relp audit device: option "tag" must be 1 to 48 printable ASCII characters without spaces'],
      [{ address: '127.0.0.1:2514', write_timeout: '0s' }, 'relp audit device: option "write_timeout" must be greater than zero'],
      [{ address: '127.0.0.1:2514', write_timeout: '61s' }, 'relp audit device: option "write_timeout" must be at most 60s'],
      [{ address: '127.0.0.1:2514', window_size: '0' }, 'relp audit device: option "window_size" must be at least 1'],
      [{ address: '127.0.0.1:2514', window_size: '1025' }, 'relp audit device: option "window_size" must be at most 1024'],
      [{ address: '127.0.0.1:2514', max_entry_bytes: '100' }, 'relp audit device: option "max_entry_bytes" must be at least 256'],
      [{ address: '127.0.0.1:2514', max_entry_bytes: '67108865' }, 'relp audit device: option "max_entry_bytes" must be at most 67108864'],
    ];
    await assertRefusesOptions(createRelpSink, table);
  });
});

describe('relp sink against a real rsyslog (imrelp)', () => {
  let rs: Rsyslog;
  // rsyslog's defaults, so that max_entry_bytes's default is checked against imrelp's own.
  before(async () => { rs = await startRsyslog({ relp: true }); });
  after(async () => { await rs?.close(); });
  const received = () => rs.lines().map((l) => msgOf(l));

  it('delivers lines intact and in order, each write confirmed by the receiver', async () => {
    const start = rs.lines().length;
    const sink = await createRelpSink(testContext({ address: `127.0.0.1:${rs.relpPort}`, facility: 'LOCAL0', tag: 'vault-audit', window_size: '16' }));
    assert.equal(sink.delivery, 'confirmed');
    const lines = numberedLines(300, '{"s":"é ✓","n":"').map((l) => `${l.slice(0, -1)}"}\n`);
    await Promise.all(lines.map((l) => sink.write(l)));
    // Confirmed means rsyslog has them: with this configuration, already in its output file.
    await eventually(() => rs.lines().length - start === 300);
    const got = rs.lines().slice(start);
    for (const [i, line] of got.entries()) {
      const m = RFC5424.exec(line);
      assert.ok(m, line);
      assert.equal(m[1], '134');
      assert.equal(m[2], hostname().replace(/[^\x21-\x7e]/g, '_'));
      assert.equal(m[3], 'vault-audit');
      assert.equal(m[5], lines[i].slice(0, -1));
    }
    // `close` is answered (librelp's empty rsp), so closing does not wait for write_timeout.
    const closing = performance.now();
    await sink.close();
    assert.ok(performance.now() - closing < 1000, 'closed politely and promptly');
  });

  it('by default sends exactly what imrelp keeps intact and fails a longer entry on this device only', async () => {
    const start = rs.lines().length;
    const sink = await createRelpSink(testContext({ address: `127.0.0.1:${rs.relpPort}` }));
    // The header has a fixed width (the timestamp always has six fraction digits).
    const headerBytes = Buffer.byteLength(formatMessage(4, headerTail({ hostname: hostname(), appName: 'sealtrail', procId: String(process.pid) }), 0n, ''));
    const sized = (bytes: number) => `${'x'.repeat(bytes - headerBytes)}\n`;
    await sink.write(sized(8096));
    await assert.rejects(sink.write(sized(8097)), /relp audit device: the entry is 8097 bytes, over max_entry_bytes \(8096\); not sent/);
    // Why the default matters: with a larger limit, imrelp truncates the message and still says 200.
    const careless = await createRelpSink(testContext({ address: `127.0.0.1:${rs.relpPort}`, max_entry_bytes: '65536' }));
    await careless.write(sized(8097));
    await eventually(() => rs.lines().length - start === 2);
    assert.deepEqual(rs.lines().slice(start).map((l) => Buffer.byteLength(l)), [8096, 8096]);
    assert.equal(msgOf(rs.lines()[start]), sized(8096).slice(0, -1));
    await sink.close();
    await careless.close();
  });

  it('refuses writes while the receiver is stopped and recovers when it is back', async () => {
    const ctx = testContext({ address: `127.0.0.1:${rs.relpPort}`, write_timeout: '1s' });
    const sink = await createRelpSink(ctx);
    await sink.write('{"before":1}\n');
    await rs.stop();
    const started = performance.now();
    await assert.rejects(sink.write('{"down":1}\n'), (err: Error) => {
      assert.match(err.message, /relp audit device: delivery to 127\.0\.0\.1:\d+ failed: 1 of 1 messages not acknowledged: ECONNREFUSED/);
      assert.deepEqual(causeCodes(err), ['ECONNREFUSED'], 'the system\'s error is the cause');
      return true;
    });
    assert.ok(performance.now() - started < 1000, 'a refused connection fails at once');
    await rs.start();
    await sink.write('{"back":1}\n');
    // Acknowledged means in rsyslog's main queue; its output file follows a moment later.
    await eventually(() => received().includes('{"back":1}'));
    const got = received();
    assert.ok(got.includes('{"before":1}') && got.includes('{"back":1}'));
    assert.ok(!got.includes('{"down":1}'));
    assert.deepEqual(ctx.logs.map((l) => l.msg), [
      'relp audit device: the receiver did not acknowledge entries', 'relp audit device: entries are acknowledged again',
    ]);
    await sink.close();
  });
});

describe('relp sink against a receiver that misbehaves', () => {
  it('re-sends exactly the unacknowledged messages on a new session when the connection drops', async () => {
    // First connection: acknowledge two messages, then close without answering the rest.
    let seen = 0;
    const server = await fakeRelpServer((frame, conn) => {
      if (frame.command !== 'syslog') return conn.answer(frame.txnr);
      if (conn.index > 1) return conn.answer(frame.txnr);
      if (++seen <= 2) conn.answer(frame.txnr);
      else if (seen === 4) conn.socket.end();
    });
    const sink = await createRelpSink(testContext({ address: `127.0.0.1:${server.port}` }));
    const lines = numberedLines(4);
    await Promise.all(lines.map((l) => sink.write(l)));
    assert.equal(server.connections, 2);
    const msgs = server.messages.map(msgOf);
    assert.deepEqual(msgs, ['line-00000', 'line-00001', 'line-00002', 'line-00003', 'line-00002', 'line-00003']);
    await sink.close();
    await server.close();
  });

  it('treats the serverclose hint as the end of the session and re-sends what was not answered', async () => {
    const server = await fakeRelpServer((frame, conn) => {
      if (conn.index === 1 && frame.command === 'syslog') conn.socket.write('0 serverclose 0\n');
      else conn.answer(frame.txnr);
    });
    const sink = await createRelpSink(testContext({ address: `127.0.0.1:${server.port}` }));
    await sink.write('{"x":1}\n');
    assert.deepEqual(server.messages.map(msgOf), ['{"x":1}', '{"x":1}']);
    await sink.close();
    await server.close();
  });

  it('counts an answer that comes with the serverclose hint, and does not send that message again', async () => {
    const server = await fakeRelpServer((frame, conn) => {
      if (conn.index === 1 && frame.command === 'syslog') conn.socket.write(`0 serverclose 0\n${frame.txnr} rsp 6 200 OK\n`);
      else conn.answer(frame.txnr);
    });
    const sink = await createRelpSink(testContext({ address: `127.0.0.1:${server.port}` }));
    await sink.write('{"x":1}\n');
    await sink.write('{"x":2}\n');
    assert.deepEqual(server.messages.map(msgOf), ['{"x":1}', '{"x":2}']);
    assert.equal(server.connections, 2);
    await sink.close();
    await server.close();
  });

  it('reopen ends the session with close; the next write opens a new one and nothing is sent twice', async () => {
    const closes: number[] = [];
    const server = await fakeRelpServer((frame, conn) => {
      if (frame.command === 'close') closes.push(conn.index);
      conn.answer(frame.txnr, frame.command === 'close' ? '' : '200 OK');
    });
    const sink = await createRelpSink(testContext({ address: `127.0.0.1:${server.port}` }));
    await sink.write('{"x":1}\n');
    await sink.reopen();
    await sink.write('{"x":2}\n');
    await sink.close();
    assert.deepEqual(closes, [1, 2]);
    assert.deepEqual(server.messages.map(msgOf), ['{"x":1}', '{"x":2}']);
    await assert.rejects(sink.write('{"x":3}\n'), /relp audit device is closed/);
    await server.close();
  });

  it('fails, without re-sending, a message the receiver answers with an error', async () => {
    const server = await fakeRelpServer((frame, conn) => conn.answer(frame.txnr, frame.command === 'syslog' ? '500 not now' : '200 OK'));
    const sink = await createRelpSink(testContext({ address: `127.0.0.1:${server.port}` }));
    await assert.rejects(sink.write('{"x":1}\n'), /failed: the receiver answered 500 not now$/);
    assert.equal(server.messages.length, 1);
    await sink.close();
    await server.close();
  });

  it('fails a write the receiver never answers within write_timeout', async () => {
    const server = await fakeRelpServer(() => undefined);
    const sink = await createRelpSink(testContext({ address: `127.0.0.1:${server.port}`, write_timeout: '300ms' }));
    const started = performance.now();
    await assert.rejects(sink.write('{"x":1}\n'), /failed: no answer within 300ms/);
    const took = performance.now() - started;
    assert.ok(took >= 290 && took < 1000, `took ${took}ms`);
    await sink.close();
    await server.close();
  });

  it('fails when the receiver does not answer open', async () => {
    const server = await fakeRelpServer(() => undefined, { answerOpen: false });
    const sink = await createRelpSink(testContext({ address: `127.0.0.1:${server.port}`, write_timeout: '300ms' }));
    await assert.rejects(sink.write('{"x":1}\n'), /failed: no answer within 300ms|no session within/);
    assert.equal(server.messages.length, 0);
    await sink.close();
    await server.close();
  });

  it('fails (and stays up) when the receiver sends garbage, an oversized frame, or answers what was never sent', async () => {
    const hostile = [
      'HTTP/1.1 400 Bad Request\r\n\r\n',
      `2 rsp 999999999 ${'A'.repeat(65536)}`,
      '77 rsp 6 200 OK\n',
      '2 syslog 6 200 OK\n',
      '2 rsp 2 OK\n',
    ];
    for (const reply of hostile) {
      const server = await fakeRelpServer((frame, conn) => { if (frame.command === 'syslog') conn.socket.write(reply); });
      const sink = await createRelpSink(testContext({ address: `127.0.0.1:${server.port}`, write_timeout: '1s' }));
      await assert.rejects(sink.write('{"x":1}\n'), /failed: .*protocol error/, reply.slice(0, 20));
      await sink.close();
      await server.close();
    }
  });
});
