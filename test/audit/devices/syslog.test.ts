import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { hostname } from 'node:os';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createSyslogSink, parseSyslogOptions } from '../../../src/audit/devices/syslog/index.js';
import { facilityCode, formatMessage, headerTail, octetCounted, syslogTimestamp } from '../../../src/audit/devices/syslog/rfc5424.js';
import { manualClock } from '../../../src/lib/clock.js';
import { assertRefusesOptions, eventually, listenStream, testContext } from './helpers.js';

const START = Date.UTC(2026, 10, 22, 22, 30, 0, 123);
const RFC5424 = /^<(\d{1,3})>1 (\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{1,6}Z) ([\x21-\x7e]{1,255}) ([\x21-\x7e]{1,48}) (\d+) (audit) (-) (.*)$/s;

/** Splits an RFC 6587 octet-counted stream into messages. */
function splitOctetCounted(stream: string): string[] {
  const buf = Buffer.from(stream, 'utf8');
  const out: string[] = [];
  for (let i = 0; i < buf.length; ) {
    const space = buf.indexOf(0x20, i);
    const len = Number(buf.subarray(i, space).toString());
    out.push(buf.subarray(space + 1, space + 1 + len).toString('utf8'));
    i = space + 1 + len;
  }
  return out;
}

describe('syslog framing', () => {
  it('formats RFC 5424 messages exactly', () => {
    const ns = BigInt(START) * 1_000_000n + 456_789n;
    assert.equal(syslogTimestamp(ns), '2026-11-22T22:30:00.123456Z');
    const tail = headerTail({ hostname: 'vault-1', appName: 'sealtrail', procId: '4242' });
    assert.equal(formatMessage(4, tail, ns, '{"type":"request"}\n'),
      '<38>1 2026-11-22T22:30:00.123456Z vault-1 sealtrail 4242 audit - {"type":"request"}');
    assert.equal(formatMessage(16, tail, ns, 'x'), '<134>1 2026-11-22T22:30:00.123456Z vault-1 sealtrail 4242 audit - x');
    assert.equal(headerTail({ hostname: 'my host', appName: 'app', procId: '1' }), 'my_host app 1 audit -');
    assert.equal(octetCounted('<38>1 é'), '8 <38>1 é');
  });

  it('knows every facility name, case-insensitively', () => {
    const table: [string, number | undefined][] = [
      ['KERN', 0], ['user', 1], ['Mail', 2], ['DAEMON', 3], ['auth', 4], ['SYSLOG', 5], ['LPR', 6], ['NEWS', 7],
      ['UUCP', 8], ['CRON', 9], ['AUTHPRIV', 10], ['FTP', 11], ['local0', 16], ['LOCAL7', 23], ['LOCAL8', undefined], ['toString', undefined],
    ];
    for (const [name, code] of table) assert.equal(facilityCode(name), code, name);
  });

  it('parses addresses and validates options', async () => {
    assert.deepEqual(parseSyslogOptions({}), { endpoint: { transport: 'udp', host: '127.0.0.1', port: 514 }, facility: 4, tag: 'sealtrail', timeoutMs: 2000, maxEntryBytes: 8096 });
    assert.deepEqual(parseSyslogOptions({ address: 'tcp://[::1]:6514', facility: 'local3', tag: 'st' }).endpoint, { transport: 'tcp', host: '::1', port: 6514 });
    assert.deepEqual(parseSyslogOptions({ address: 'unix:///run/syslog.sock' }).endpoint, { transport: 'unix', path: '/run/syslog.sock' });
    assert.equal(parseSyslogOptions({ address: 'tcp://127.0.0.1:514', max_entry_bytes: '200000' }).maxEntryBytes, 200_000);
    const table: [Record<string, string>, string][] = [
      [{ facility: 'SECURITY' }, 'syslog audit device: option "facility" must be a syslog facility such as AUTH, DAEMON or LOCAL0..LOCAL7'],
      [{ tag: 'two words' }, 'syslog audit device: option "tag" must be 1 to 48 printable ASCII characters without spaces'],
      [{ address: '127.0.0.1:514' }, 'syslog audit device: option "address" must be udp://host:port, tcp://host:port or unix:///path'],
      [{ address: 'unix://relative.sock' }, 'syslog audit device: option "address" must be udp://host:port, tcp://host:port or unix:///path'],
      [{ max_entry_bytes: '70000' }, 'syslog audit device: option "max_entry_bytes" must be at most 65507'],
      [{ address: 'tcp://127.0.0.1:514', max_entry_bytes: 'big' }, 'syslog audit device: option "max_entry_bytes" must be a non-negative integer'],
    ];
    await assertRefusesOptions(createSyslogSink, table);
  });
});

describe('syslog sink', () => {
  const clock = manualClock(START);
  const expectMessage = (message: string, pri: number, msg: string) => {
    const m = RFC5424.exec(message);
    assert.ok(m, `not RFC 5424: ${message}`);
    assert.equal(Number(m[1]), pri);
    assert.equal(m[2], '2026-11-22T22:30:00.123000Z');
    assert.equal(m[3], hostname().replace(/[^\x21-\x7e]/g, '_'));
    assert.equal(m[5], String(process.pid));
    assert.equal(m[8], msg);
    return m;
  };

  it('sends one UDP datagram per entry with PRI for AUTH (<38>)', async () => {
    const server = createSocket('udp4');
    const datagrams: string[] = [];
    server.on('message', (msg) => datagrams.push(msg.toString('utf8')));
    await new Promise<void>((resolve) => server.bind(0, '127.0.0.1', resolve));
    const sink = await createSyslogSink(testContext({ address: `udp://127.0.0.1:${server.address().port}` }, clock));
    await Promise.all([sink.write('{"n":1}\n'), sink.write('{"n":2}\n')]);
    await eventually(() => datagrams.length === 2);
    expectMessage(datagrams[0], 38, '{"n":1}');
    const m = expectMessage(datagrams[1], 38, '{"n":2}');
    assert.equal(m[4], 'sealtrail');
    await sink.close();
    server.close();
  });

  it('sends octet-counted messages over TCP with facility and tag', async () => {
    const listener = await listenStream();
    const sink = await createSyslogSink(testContext({ address: `tcp://127.0.0.1:${listener.port}`, facility: 'local0', tag: 'vault-audit' }, clock));
    const lines = Array.from({ length: 50 }, (_, i) => `{"i":${i},"s":"é"}\n`);
    await Promise.all(lines.map((l) => sink.write(l)));
    await eventually(() => splitOctetCounted(listener.received()).length === 50);
    const messages = splitOctetCounted(listener.received());
    messages.forEach((message, i) => assert.equal(expectMessage(message, 134, lines[i].slice(0, -1))[4], 'vault-audit'));
    await sink.close();
    await listener.stop();
  });

  it('sends octet-counted messages over a unix stream socket', async () => {
    const path = join(tmpdir(), `sealtrail-syslog-${process.pid}-${Math.random().toString(36).slice(2)}.sock`);
    const listener = await listenStream({ path });
    const sink = await createSyslogSink(testContext({ address: `unix://${path}`, facility: 'AUTHPRIV' }, clock));
    await sink.write('{"unix":true}\n');
    await eventually(() => splitOctetCounted(listener.received()).length === 1);
    expectMessage(splitOctetCounted(listener.received())[0], 86, '{"unix":true}');
    await sink.close();
    await listener.stop();
  });

  it('reconnects when the TCP listener comes back', async () => {
    const listener = await listenStream();
    const port = listener.port;
    const sink = await createSyslogSink(testContext({ address: `tcp://127.0.0.1:${port}`, write_timeout: '500ms' }, clock));
    await listener.stop();
    await assert.rejects(sink.write('lost\n'), /syslog audit device: write to tcp:\/\/127\.0\.0\.1:\d+ failed: ECONNREFUSED/);
    const back = await listenStream({ port });
    await sink.write('back\n');
    await eventually(() => splitOctetCounted(back.received()).length === 1);
    expectMessage(splitOctetCounted(back.received())[0], 38, 'back');
    await sink.close();
    await back.stop();
  });
});
