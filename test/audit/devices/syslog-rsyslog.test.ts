/**
 * The syslog device against a real rsyslogd (test/helpers/rsyslog.ts): an unreachable UDP
 * receiver costs no descriptors and is reported, and an entry over `max_entry_bytes` is refused
 * instead of breaking rsyslog's octet-counted framing for every later entry.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { after, before, describe, it } from 'node:test';
import { UDP_REFUSAL_MEMORY_MS } from '../../../src/audit/devices/net/connection.js';
import { createSyslogSink } from '../../../src/audit/devices/syslog/index.js';
import { formatMessage, headerTail } from '../../../src/audit/devices/syslog/rfc5424.js';
import { startRsyslog, type Rsyslog } from '../../helpers/rsyslog.js';
import { eventually, testContext } from './helpers.js';

const openDescriptors = () => readdirSync('/proc/self/fd').length;
/** The audit line rsyslog received in each message (what follows the RFC 5424 header). */
const bodies = (r: Rsyslog) => r.lines().map((l) => / audit - (.*)$/s.exec(l)?.[1] ?? `not RFC 5424: ${l.slice(0, 80)}`);

describe('syslog device and rsyslog over UDP', () => {
  let rsyslog: Rsyslog;
  before(async () => { rsyslog = await startRsyslog({ udp: true }); });
  after(async () => { await rsyslog?.close(); });

  it('an unreachable receiver: descriptors stay bounded, failures are counted, and it recovers when rsyslog is back', async () => {
    await rsyslog.stop();
    const ctx = testContext({ address: `udp://127.0.0.1:${rsyslog.udpPort}` });
    const sink = await createSyslogSink(ctx);
    const openBefore = openDescriptors();
    let failed = 0;
    for (let i = 0; i < 300; i++) {
      await sink.write(`{"down":${i}}\n`).catch((err: Error) => {
        assert.match(err.message, /^syslog audit device: write to udp:\/\/127\.0\.0\.1:\d+ failed: the receiver refused datagrams within the last 2500ms \(ECONNREFUSED\)/);
        failed++;
      });
      await new Promise((r) => setTimeout(r, 1)); // let the ICMP answer come back
    }
    assert.ok(openDescriptors() <= openBefore + 1, `descriptors ${openBefore} → ${openDescriptors()}`);
    assert.ok(failed >= 290, `${failed} of 300 writes reported the unreachable receiver`);
    assert.deepEqual(ctx.logs.map((l) => l.level), ['warn']);

    await rsyslog.start();
    // Writes fail for a moment after the last refusal (UDP_REFUSAL_MEMORY_MS); then entries arrive.
    const until = Date.now() + UDP_REFUSAL_MEMORY_MS + 2000;
    while (!(await sink.write('{"back":0}\n').then(() => true, () => false))) {
      assert.ok(Date.now() < until, 'the device writes again once rsyslog is back');
      await new Promise((r) => setTimeout(r, 50));
    }
    for (let i = 1; i <= 3; i++) await sink.write(`{"back":${i}}\n`);
    await eventually(() => bodies(rsyslog).includes('{"back":3}'), 5000);
    assert.deepEqual(bodies(rsyslog).filter((b) => b.startsWith('{"back"')).slice(-3), ['{"back":1}', '{"back":2}', '{"back":3}']);
    assert.deepEqual(ctx.logs.map((l) => l.level), ['warn', 'info']);
    const open = openDescriptors();
    await sink.close();
    await eventually(() => openDescriptors() === open - 1); // the socket's descriptor is released
    await assert.rejects(sink.write('{"closed":1}\n'), /syslog audit device is closed/);
  });
});

describe('syslog device and rsyslog over TCP (octet counting)', () => {
  let rsyslog: Rsyslog;
  // A message size above the frame limit, so the frame limit is what is exercised.
  before(async () => { rsyslog = await startRsyslog({ maxMessageSize: '256k' }); });
  after(async () => { await rsyslog?.close(); });

  it('an entry over max_entry_bytes is refused and the next entries arrive intact', async () => {
    const sink = await createSyslogSink(testContext({ address: `tcp://127.0.0.1:${rsyslog.tcpPort}`, max_entry_bytes: '200000' }));
    const big = (n: number, tag: string) => `{"${tag}":"${'z'.repeat(n)}"}\n`;
    await sink.write(big(10, 'first'));
    // 205 KB: over imtcp's default maxFrameSize (200000), which would turn every later message into garbage.
    await assert.rejects(sink.write(big(205_000, 'huge')), (err: NodeJS.ErrnoException) => {
      assert.equal(err.code, 'EMSGSIZE');
      assert.match(err.message, /^syslog audit device: the entry is \d+ bytes, over max_entry_bytes \(200000\); not sent$/);
      return true;
    });
    await sink.write(big(150_000, 'large'));
    await Promise.all([sink.write('{"after":1}\n'), sink.write('{"after":2}\n')]);
    await eventually(() => bodies(rsyslog).length === 4, 5000);
    assert.deepEqual(bodies(rsyslog), [big(10, 'first'), big(150_000, 'large'), '{"after":1}\n', '{"after":2}\n'].map((l) => l.slice(0, -1)));
    await sink.close();
  });

  it('the default limit is what rsyslog keeps intact by default (8096 bytes, documented as 8k): a longer entry is refused, not truncated', async () => {
    const defaults = await startRsyslog();
    try {
      const sink = await createSyslogSink(testContext({ address: `tcp://127.0.0.1:${defaults.tcpPort}` }));
      // The header's width depends on the host name and the pid (the timestamp's is fixed).
      const headerBytes = Buffer.byteLength(formatMessage(4, headerTail({ hostname: hostname(), appName: 'sealtrail', procId: String(process.pid) }), 0n, ''));
      const sized = (bytes: number) => `${'x'.repeat(bytes - headerBytes)}\n`;
      await sink.write(sized(8096));
      await assert.rejects(sink.write(sized(8097)), /the entry is 8097 bytes, over max_entry_bytes \(8096\); not sent/);
      await sink.write('{"next":1}\n');
      await eventually(() => bodies(defaults).length === 2, 5000);
      assert.deepEqual(bodies(defaults), [sized(8096).slice(0, -1), '{"next":1}']);
      await sink.close();
    } finally {
      await defaults.close();
    }
  });
});
