import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createFrameDecoder, encodeFrame, MAX_TXNR, nextTxnr, RelpProtocolError } from '../../../src/audit/devices/relp/frame.js';
import { checkOpenAnswer, OPEN_OFFERS, parseOffers, parseRsp } from '../../../src/audit/devices/relp/response.js';

const bytes = (s: string) => Buffer.from(s, 'latin1');
const show = (frames: { txnr: number; command: string; data: Buffer }[]) =>
  frames.map((f) => [f.txnr, f.command, f.data.toString('latin1')]);

describe('RELP frames', () => {
  it('encodes frames byte for byte as librelp does', () => {
    assert.deepEqual(encodeFrame(1, 'open', OPEN_OFFERS),
      bytes('1 open 54 relp_version=0\nrelp_software=sealtrail\ncommands=syslog\n'));
    assert.deepEqual(encodeFrame(2, 'syslog', Buffer.from('<38>1 - é', 'utf8')), Buffer.from('2 syslog 10 <38>1 - é\n', 'utf8'));
    assert.deepEqual(encodeFrame(3, 'close'), bytes('3 close 0\n'));
    assert.deepEqual(encodeFrame(MAX_TXNR, 'syslog', bytes('x')), bytes('999999999 syslog 1 x\n'));
    assert.throws(() => encodeFrame(MAX_TXNR + 1, 'syslog'), RangeError);
    assert.throws(() => encodeFrame(1, 'sys log'), RangeError);
  });

  it('wraps the txnr from 999999999 back to 1, never to 0', () => {
    assert.equal(nextTxnr(1), 2);
    assert.equal(nextTxnr(999_999_998), 999_999_999);
    assert.equal(nextTxnr(999_999_999), 1);
  });

  it('decodes rsp frames, hints and frames without data', () => {
    const decoder = createFrameDecoder(1024);
    const frames = decoder.push(bytes('1 rsp 6 200 OK\n0 serverclose 0\n2 rsp 6 200 OK\n'));
    assert.deepEqual(show(frames), [[1, 'rsp', '200 OK'], [0, 'serverclose', ''], [2, 'rsp', '200 OK']]);
    assert.equal(decoder.buffered, 0);
  });

  it('reassembles frames split across TCP chunks at every byte', () => {
    const stream = bytes('1 rsp 93 200 OK\nrelp_version=0\nrelp_software=librelp,1.11.0,http://librelp.adiscon.com\ncommands=syslog\n2 rsp 6 200 OK\n');
    for (let cut = 1; cut < stream.length; cut++) {
      const decoder = createFrameDecoder(1024);
      const frames = [...decoder.push(stream.subarray(0, cut)), ...decoder.push(stream.subarray(cut))];
      assert.deepEqual(show(frames).map((f) => f.slice(0, 2)), [[1, 'rsp'], [2, 'rsp']], `cut at ${cut}`);
      assert.equal(frames[1].data.toString(), '200 OK');
    }
    // One byte at a time.
    const decoder = createFrameDecoder(1024);
    const frames = [...stream].flatMap((b) => decoder.push(Buffer.from([b])));
    assert.equal(frames.length, 2);
    assert.equal(frames[0].data.length, 93);
  });

  it('refuses garbage and oversized frames at once, without buffering them', () => {
    const malformed = [
      'HTTP/1.1 200 OK\r\n', '1rsp 6 200 OK\n', '1  rsp 6 200 OK\n', '1 r5p 6 200 OK\n', '1 rsp x\n',
      '1 rsp 6 200 OKX', '1 rsp 0 \n', '1234567890 rsp 0\n', '1 rsp 1234567890 ', `1 ${'a'.repeat(33)} 0\n`, '1 rsp 6\n',
    ];
    for (const text of malformed) {
      assert.throws(() => createFrameDecoder(1024).push(bytes(text)), RelpProtocolError, JSON.stringify(text));
    }
    const decoder = createFrameDecoder(1024);
    assert.throws(() => decoder.push(bytes('1 rsp 1025 ')), /announces 1025 bytes of data, over the 1024 accepted/);
    // A frame within the limit is held until complete, and no more than it.
    const patient = createFrameDecoder(1024);
    assert.deepEqual(patient.push(bytes(`1 rsp 1024 ${'a'.repeat(1000)}`)), []);
    assert.equal(patient.buffered, 1011);
    assert.equal(patient.push(bytes(`${'a'.repeat(24)}\n`)).length, 1);
  });

  it('parses rsp data and the server offers', () => {
    assert.deepEqual(parseRsp(bytes('200 OK')), { status: 200, text: 'OK', data: '' });
    assert.deepEqual(parseRsp(bytes('500 error 12 on connect')), { status: 500, text: 'error 12 on connect', data: '' });
    assert.deepEqual(parseRsp(bytes('200 OK\nrelp_version=0\ncommands=syslog')), { status: 200, text: 'OK', data: 'relp_version=0\ncommands=syslog' });
    assert.deepEqual(parseRsp(bytes('200')), { status: 200, text: '', data: '' });
    for (const bad of ['OK', '20 OK', '2000 OK', '']) assert.throws(() => parseRsp(bytes(bad)), RelpProtocolError, bad);
    assert.deepEqual([...parseOffers('relp_version=0\nrelp_software=librelp,1.11.0,http://librelp.adiscon.com\ncommands=syslog')],
      [['relp_version', ['0']], ['relp_software', ['librelp', '1.11.0', 'http://librelp.adiscon.com']], ['commands', ['syslog']]]);
  });

  it('accepts only an open answer with version 0 and the syslog command', () => {
    checkOpenAnswer(parseRsp(bytes('200 OK\nrelp_version=0\nrelp_software=librelp\ncommands=syslog')));
    const table: [string, RegExp][] = [
      ['500 required command not supported by client', /refused the session: 500 required command/],
      ['200 OK\ncommands=syslog', /did not offer a relp_version/],
      ['200 OK\nrelp_version=1\ncommands=syslog', /wants RELP version 1/],
      ['200 OK\nrelp_version=0\ncommands=', /does not accept the syslog command/],
    ];
    for (const [answer, error] of table) assert.throws(() => checkOpenAnswer(parseRsp(bytes(answer))), error, answer);
  });
});
