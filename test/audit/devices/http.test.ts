import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { describe, it } from 'node:test';
import { createHttpSink } from '../../../src/audit/devices/http/index.js';
import { shownOptions } from '../../../src/audit/devices/index.js';
import { VERSION } from '../../../src/lib/version.js';
import { assertRefusesOptions, causeCodes, eventually, numberedLines, testContext } from './helpers.js';

interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  rawHeaders: string[];
  body: string;
}

/** A SIEM stand-in answering each POST with the next status from `statuses` (then 200). */
async function siem(statuses: number[] = [], delayMs = 0): Promise<{ server: Server; url: string; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, rawHeaders: req.rawHeaders, body: Buffer.concat(chunks).toString('utf8') });
      setTimeout(() => { res.statusCode = statuses.shift() ?? 200; res.end('ok'); }, delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    server, received, url: `http://127.0.0.1:${port}/ingest?source=sealtrail`,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

/** Every value a raw header list carries for `name`, one per header line. */
function valuesOf(rawHeaders: string[], name: string): string[] {
  const out: string[] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) if (rawHeaders[i].toLowerCase() === name) out.push(rawHeaders[i + 1]);
  return out;
}

describe('http sink', () => {
  it('labels JSONx batches as XML, and a configured User-Agent replaces its own', async () => {
    const endpoint = await siem();
    const sink = await createHttpSink(testContext({ uri: endpoint.url, format: 'jsonx', headers: '{"User-Agent":["siem-feeder/2"]}' }));
    await sink.write('<?xml version="1.0" encoding="UTF-8"?><json:object></json:object>\n');
    assert.equal(endpoint.received.length, 1);
    assert.equal(endpoint.received[0].headers['content-type'], 'application/xml');
    assert.deepEqual(valuesOf(endpoint.received[0].rawHeaders, 'user-agent'), ['siem-feeder/2']);
    await sink.close();
    await endpoint.close();
  });

  it('POSTs ndjson batches with the configured headers, in order', async () => {
    const endpoint = await siem([], 20);
    // OpenBao's option names and header shape: uri, and a list of values per header.
    const sink = await createHttpSink(testContext({ uri: endpoint.url, headers: '{"Authorization":["Bearer s3cr3t"],"X-Source":["vault","sealtrail"],"X-Unset":[]}', batch_max_lines: '40' }));
    const lines = numberedLines(101);
    await Promise.all(lines.map((l) => sink.write(l)));
    // Lines queued in one turn leave together, in batches of at most 40.
    assert.deepEqual(endpoint.received.map((r) => r.body.split('\n').length - 1), [40, 40, 21]);
    assert.equal(endpoint.received.map((r) => r.body).join(''), lines.join(''));
    for (const r of endpoint.received) {
      assert.equal(r.method, 'POST');
      assert.equal(r.url, '/ingest?source=sealtrail');
      assert.equal(r.headers['content-type'], 'application/x-ndjson');
      assert.equal(r.headers.authorization, 'Bearer s3cr3t');
      // Once per value, as OpenBao sends them (Go writes each value on its own line).
      assert.deepEqual(valuesOf(r.rawHeaders, 'x-source'), ['vault', 'sealtrail']);
      assert.deepEqual(valuesOf(r.rawHeaders, 'user-agent'), ['SealtrailAuditor/' + VERSION]);
      assert.equal(r.headers['x-unset'], undefined);
    }
    await sink.close();
    await endpoint.close();
  });

  it('retries after a 500 and resolves when a retry succeeds', async () => {
    const endpoint = await siem([500, 503]);
    const ctx = testContext({ uri: endpoint.url });
    const sink = await createHttpSink(ctx);
    await sink.write('{"a":1}\n');
    assert.deepEqual(endpoint.received.map((r) => r.body), ['{"a":1}\n', '{"a":1}\n', '{"a":1}\n']);
    assert.deepEqual(ctx.logs, []);
    await sink.close();
    await endpoint.close();
  });

  it('rejects when retries are exhausted, logs the episode once without secrets, and recovers', async () => {
    const endpoint = await siem([500, 502, 500, 500]);
    // `url` is accepted for `uri`, and a header may be given as one string.
    const ctx = testContext({ url: endpoint.url, retries: '1', headers: '{"Authorization":"Bearer s3cr3t"}' });
    const sink = await createHttpSink(ctx);
    await assert.rejects(sink.write('{"a":1}\n'), { message: `http audit device: ${new URL(endpoint.url).origin} answered 502` });
    await assert.rejects(sink.write('{"a":2}\n'), /answered 500/);
    assert.equal(endpoint.received.length, 4);
    await sink.write('{"a":3}\n');
    assert.deepEqual(ctx.logs.map((l) => [l.level, l.msg]), [['warn', 'http audit device cannot deliver'], ['info', 'http audit device delivers again']]);
    assert.ok(!JSON.stringify(ctx.logs).includes('s3cr3t'));
    await sink.close();
    await endpoint.close();
  });

  it('does not retry a 4xx that cannot succeed', async () => {
    const endpoint = await siem([401]);
    const sink = await createHttpSink(testContext({ uri: endpoint.url }));
    await assert.rejects(sink.write('x\n'), /answered 401/);
    assert.equal(endpoint.received.length, 1);
    await sink.close();
    await endpoint.close();
  });

  it('times out a slow endpoint and fails when nothing listens', async () => {
    const slow = await siem([], 500);
    const sink = await createHttpSink(testContext({ uri: slow.url, timeout: '100ms', retries: '0' }));
    await assert.rejects(sink.write('x\n'), /POST to http:\/\/127\.0\.0\.1:\d+ failed: timed out after 100ms/);
    await sink.close();
    await slow.close();
    const dead = await createHttpSink(testContext({ uri: slow.url, retries: '0' }));
    await assert.rejects(dead.write('x\n'), (err: Error) => {
      assert.match(err.message, /failed: ECONNREFUSED/);
      assert.deepEqual(causeCodes(err), ['ECONNREFUSED'], 'the system\'s error is the cause');
      return true;
    });
    await dead.close();
  });

  it('an endpoint answering 101 Switching Protocols fails that attempt, and the next batch is sent', async () => {
    const received: string[] = [];
    let upgrades = 1;
    // A raw receiver: the first POST gets a 101, every later one a 200.
    const receiver = createNetServer((socket) => {
      let got = '';
      socket.on('data', (d) => {
        got += d.toString('latin1');
        const end = got.indexOf('\r\n\r\n');
        const length = Number(/content-length: (\d+)/i.exec(got)?.[1] ?? 0);
        if (end < 0 || got.length < end + 4 + length) return;
        received.push(got.slice(end + 4, end + 4 + length));
        got = '';
        socket.write(upgrades-- > 0 ? 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\nConnection: Upgrade\r\n\r\n' : 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n');
      });
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const { port } = receiver.address() as { port: number };
    const sink = await createHttpSink(testContext({ uri: `http://127.0.0.1:${port}/ingest`, timeout: '2s', retries: '0' }));
    try {
      const started = performance.now();
      await assert.rejects(sink.write('first\n'), /101 Switching Protocols|closed without an answer/);
      assert.ok(performance.now() - started < 2000, 'settled at the answer, not at the timeout');
      await sink.write('second\n');
      assert.deepEqual(received, ['first\n', 'second\n'], 'the device goes on once the endpoint behaves');
    } finally {
      await sink.close();
      await new Promise((resolve) => receiver.close(resolve));
    }
  });

  it('a 2xx is the answer: a body that keeps streaming after it is dropped within a bound, not waited for', async () => {
    const closed: string[] = [];
    const posts: string[] = [];
    // `flood` streams 16 KiB chunks forever; `trickle` sends a byte every 50 ms forever.
    const receiver = createServer((req, res) => {
      const mode = req.url!.slice(1);
      req.resume();
      req.on('end', () => {
        posts.push(mode);
        res.writeHead(200, { 'content-type': 'text/plain' });
        const timer = setInterval(() => res.write(mode === 'flood' ? 'x'.repeat(16 * 1024) : '.'), mode === 'flood' ? 2 : 50);
        res.on('close', () => { clearInterval(timer); closed.push(mode); });
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const { port } = receiver.address() as { port: number };
    try {
      for (const mode of ['flood', 'trickle']) {
        const sink = await createHttpSink(testContext({ uri: `http://127.0.0.1:${port}/${mode}`, timeout: '500ms' }));
        const started = performance.now();
        await sink.write('one\n');
        assert.ok(performance.now() - started < 400, `${mode}: recorded at the status line`);
        assert.deepEqual(posts.filter((p) => p === mode), [mode], `${mode}: one POST, no retry`);
        await eventually(() => closed.includes(mode), 3000);
        await sink.close();
      }
    } finally {
      receiver.closeAllConnections();
      await new Promise((resolve) => receiver.close(resolve));
    }
  });

  it('does not follow a redirect: only the configured endpoint confirms a batch', async () => {
    const elsewhere = await siem();
    const redirecting = createServer((req, res) => {
      req.resume();
      req.on('end', () => { res.writeHead(307, { location: elsewhere.url }).end(); });
    });
    await new Promise<void>((resolve) => redirecting.listen(0, '127.0.0.1', resolve));
    const { port } = redirecting.address() as { port: number };
    const sink = await createHttpSink(testContext({ uri: `http://127.0.0.1:${port}/ingest`, headers: '{"Authorization":["Bearer s3cr3t"]}' }));
    try {
      await assert.rejects(sink.write('x\n'), /answered 307/);
      assert.equal(elsewhere.received.length, 0);
    } finally {
      await sink.close();
      await new Promise((resolve) => { redirecting.closeAllConnections(); redirecting.close(resolve); });
      await elsewhere.close();
    }
  });

  it('sends one batch id per batch, the same on every retry of it', async () => {
    const endpoint = await siem([503, 500]);
    const sink = await createHttpSink(testContext({ uri: endpoint.url }));
    await sink.write('{"a":1}\n');
    await sink.write('{"a":2}\n');
    const ids = endpoint.received.map((r) => r.headers['x-sealtrail-batch-id']);
    assert.equal(ids.length, 4);
    for (const id of ids) assert.match(String(id), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.deepEqual(endpoint.received.map((r) => r.body), ['{"a":1}\n', '{"a":1}\n', '{"a":1}\n', '{"a":2}\n']);
    assert.equal(new Set(ids.slice(0, 3)).size, 1, 'the retries of the first batch carry its id');
    assert.notEqual(ids[3], ids[0], 'the next batch has its own');
    await sink.close();
    await endpoint.close();
  });

  it('gives up on a batch when the audit block timeout passed: one attempt to a receiver slower than it', async () => {
    const slow = await siem([], 1500);
    const sink = await createHttpSink({ ...testContext({ uri: slow.url, retries: '5' }), blockTimeoutMs: 300 });
    const started = performance.now();
    await assert.rejects(sink.write('x\n'), /failed: timed out after \d+ms/);
    const took = performance.now() - started;
    assert.ok(took >= 290 && took < 1200, `gave up after ${took} ms`);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(slow.received.length, 1, 'no retry after the deadline');
    await sink.close();
    await slow.close();
  });

  it('stops retrying quick failures at the deadline too', async () => {
    const endpoint = await siem(Array.from({ length: 20 }, () => 503));
    const sink = await createHttpSink({ ...testContext({ uri: endpoint.url, retries: '10' }), blockTimeoutMs: 250 });
    const started = performance.now();
    await assert.rejects(sink.write('x\n'), /answered 503/);
    const took = performance.now() - started;
    // Backoff 100 ms, then 200 ms would end past the deadline: two attempts, well before 10 retries.
    assert.ok(took < 1500, `gave up after ${took} ms`); // 10 retries would take 100 + 200 + 400 + … ms
    assert.equal(endpoint.received.length, 2);
    await sink.close();
    await endpoint.close();
  });

  it('lingers for batch_max_wait when asked', async () => {
    const endpoint = await siem();
    const sink = await createHttpSink(testContext({ uri: endpoint.url, batch_max_wait: '300ms', batch_max_lines: '10' }));
    const first = sink.write('a\n');
    await new Promise((r) => setTimeout(r, 20));
    await Promise.all([first, sink.write('b\n')]);
    assert.deepEqual(endpoint.received.map((r) => r.body), ['a\nb\n']);
    await sink.close();
    await endpoint.close();
  });

  it('validates its options without echoing header values', async () => {
    const table: [Record<string, string>, string][] = [
      [{}, 'http audit device: option "uri" is required'],
      [{ uri: 'not a url' }, 'http audit device: option "uri" must be an absolute http:// or https:// URL'],
      [{ url: 'ftp://siem.example/' }, 'http audit device: option "uri" must use http or https'],
      [{ uri: 'https://user:pw@siem.example/' }, 'http audit device: option "uri" must not contain credentials; pass them in "headers"'],
      [{ uri: 'https://siem.example/', url: 'https://other.example/' }, 'http audit device: option "url" must not differ from "uri" (give one of them)'],
      [{ uri: 'https://siem.example/', headers: '{"Authorization": ["Bearer s3cr3t"]' }, 'http audit device: option "headers" must be a JSON object such as {"Authorization":["Bearer ..."]}'],
      [{ uri: 'https://siem.example/', headers: '["s3cr3t"]' }, 'http audit device: option "headers" must be a JSON object of header names to a list of values'],
      [{ uri: 'https://siem.example/', headers: '{"X-Token": 42}' }, 'http audit device: option "headers" values of "X-Token" must be single-line strings'],
      [{ uri: 'https://siem.example/', headers: '{"X-Token": ["s3cr3t\\nX-Injected: 1"]}' }, 'http audit device: option "headers" values of "X-Token" must be single-line strings'],
      [{ uri: 'https://siem.example/', headers: '{"Bad Name": ["s3cr3t"]}' }, 'http audit device: option "headers" has an invalid header name "Bad Name"'],
      // What Node's HTTP client would refuse at the first POST (ERR_INVALID_CHAR) is refused here.
      ...['Bearer s3cr3t…', 'Bearer s3cr3t\u0007', 'Bearer s3cr3t\u007f', 'Bearer s3cr3t\u{1F511}'].map((value): [Record<string, string>, string] =>
        [{ uri: 'https://siem.example/', headers: JSON.stringify({ Authorization: ['ok', value] }) }, 'http audit device: option "headers" values of "Authorization" must be Latin-1 text: only tab, U+0020–U+007E and U+0080–U+00FF']),
      [{ uri: 'https://siem.example/', headers: '{"X-Tök": ["s3cr3t"]}' }, 'http audit device: option "headers" has an invalid header name "X-Tök"'],
      [{ uri: 'https://siem.example/', headers: '{"Content-Type": ["text/plain"]}' }, 'http audit device: option "headers" must not set "Content-Type" (the device sets it)'],
      [{ uri: 'https://siem.example/', headers: '{"X-Sealtrail-Batch-Id": ["1"]}' }, 'http audit device: option "headers" must not set "X-Sealtrail-Batch-Id" (the device sets it)'],
      [{ uri: 'https://siem.example/', batch_max_lines: '0' }, 'http audit device: option "batch_max_lines" must be at least 1'],
      [{ uri: 'https://siem.example/', timeout: '0s' }, 'http audit device: option "timeout" must be greater than zero'],
    ];
    await assertRefusesOptions(createHttpSink, table);
  });

  it('sends Latin-1 header values as they are (tab and U+0080–U+00FF included)', async () => {
    const endpoint = await siem();
    const value = 'caf\u00e9\tn\u00ba 1\u0085';
    const sink = await createHttpSink(testContext({ uri: endpoint.url, headers: JSON.stringify({ 'X-Tenant': value }) }));
    await sink.write('{"n":1}\n');
    assert.deepEqual(valuesOf(endpoint.received[0].rawHeaders, 'x-tenant'), [value]);
    await sink.close();
    await endpoint.close();
  });

  it('shows its headers in sys/audit with every value redacted', () => {
    assert.deepEqual(shownOptions('http', { uri: 'https://siem.example/', headers: '{"Authorization":["Bearer s3cr3t"],"X-Source":["a","b"],"X-One":"c","X-None":[]}' }),
      { uri: 'https://siem.example/', headers: '{"Authorization":["<redacted>"],"X-Source":["<redacted>","<redacted>"],"X-One":"<redacted>","X-None":[]}' });
    assert.deepEqual(shownOptions('http', { uri: 'https://siem.example/', headers: 'not json s3cr3t' }), { uri: 'https://siem.example/', headers: '<redacted>' });
    assert.deepEqual(shownOptions('http', { uri: 'https://siem.example/' }), { uri: 'https://siem.example/' });
    // A token in the query string is a credential too: names kept, values replaced; a bare item
    // (`?<token>`) and a fragment replaced whole.
    assert.deepEqual(shownOptions('http', { uri: 'https://siem.example/ingest?token=s3cr3t&source=vault&s3cr3tbare#s3cr3tfrag' }),
      { uri: 'https://siem.example/ingest?token=<redacted>&source=<redacted>&<redacted>#<redacted>' });
    // So does `url`, uri's alias.
    assert.deepEqual(shownOptions('http', { url: 'https://siem.example/ingest?token=s3cr3t' }), { url: 'https://siem.example/ingest?token=<redacted>' });
    assert.deepEqual(shownOptions('file', { file_path: '/var/log/a.log' }), { file_path: '/var/log/a.log' });
  });
});
