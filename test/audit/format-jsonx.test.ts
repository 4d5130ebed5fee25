import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createAuditDevice } from '../../src/audit/device.js';
import { parseCommonOptions } from '../../src/audit/device-options.js';
import { escapeXml } from '../../src/audit/format-jsonx.js';
import { JsonNumber } from '../../src/lib/json-number.js';
import { deepFreeze, H, kvMount, memorySink, TIME_NS } from './helpers.js';

/** A JSONx device with salt `foo` writing to memory. */
function jsonxDevice() {
  const sink = memorySink();
  const options = { format: 'jsonx' };
  const d = createAuditDevice({ path: 'x/', type: 'memory', description: '', options, local: false, salt: 'foo' },
    parseCommonOptions(options, { allowAuditLogPrefixing: false }), sink);
  return { sink, d };
}

test('JSONx golden document', async () => {
  const { sink, d } = jsonxDevice();
  await d.process(deepFreeze({
    request: {
      id: 'r1', operation: 'update', path: 'secret/data/x',
      data: { 'a<b': `v&"'`, list: [1, 'foo', true, null], nested: {} },
      clientToken: 'foo', remoteAddress: '', remotePort: 8200, headers: {}, wrapTtl: 0,
    },
    operation: 'update', timeNs: TIME_NS,
    mount: { ...kvMount, config: { ...kvMount.config, auditNonHmacRequestKeys: ['a<b'] } },
  }), 'request');
  assert.equal(sink.lines[0],
    '<?xml version="1.0" encoding="UTF-8"?>' +
    '<json:object xsi:schemaLocation="http://www.datapower.com/schemas/json jsonx.xsd" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:json="http://www.ibm.com/xmlns/prod/2009/jsonx">' +
    '<json:object name="auth"><json:string name="token_type">default</json:string></json:object>' +
    '<json:object name="request">' +
    `<json:string name="client_token">${H.foo}</json:string>` +
    '<json:object name="data">' +
    '<json:string name="a&lt;b">v&amp;&#34;&#39;</json:string>' +
    `<json:array name="list"><json:number>1</json:number><json:string>${H.foo}</json:string><json:boolean>true</json:boolean><json:null /></json:array>` +
    '<json:object name="nested"></json:object>' +
    '</json:object>' +
    '<json:string name="id">r1</json:string>' +
    '<json:string name="mount_accessor">kv_1a2b3c4d</json:string>' +
    '<json:string name="mount_class">secret</json:string>' +
    '<json:string name="mount_point">secret/</json:string>' +
    '<json:string name="mount_running_version">v0.1.0+builtin.sealtrail</json:string>' +
    '<json:string name="mount_type">kv</json:string>' +
    '<json:object name="namespace"><json:string name="id">root</json:string></json:object>' +
    '<json:string name="operation">update</json:string>' +
    '<json:string name="path">secret/data/x</json:string>' +
    '<json:number name="remote_port">8200</json:number>' +
    '</json:object>' +
    '<json:string name="time">2024-11-14T23:46:27.123456789Z</json:string>' +
    '<json:string name="type">request</json:string>' +
    '</json:object>\n');
});

test('JSONx: a kept number is a json:number element with its literal text, never hashed', async () => {
  const { sink, d } = jsonxDevice();
  await d.process(deepFreeze({
    request: {
      id: 'r1', operation: 'update', path: 'secret/data/x',
      data: { n: new JsonNumber('12345678901234567890'), l: [new JsonNumber('-0'), new JsonNumber('1e400')] },
      clientToken: 'foo', remoteAddress: '', remotePort: 8200, headers: {}, wrapTtl: 0,
    },
    operation: 'update', timeNs: TIME_NS, mount: kvMount,
  }), 'request');
  assert.ok(sink.lines[0].includes(
    '<json:object name="data"><json:array name="l"><json:number>-0</json:number><json:number>1e400</json:number></json:array>' +
    '<json:number name="n">12345678901234567890</json:number></json:object>'), sink.lines[0]);
});

test('XML escaping follows Go xml.EscapeText', () => {
  assert.equal(escapeXml('a\tb\nc\rd'), 'a&#x9;b&#xA;c&#xD;d');
  assert.equal(escapeXml('\u0001x\ud800'), '\ufffdx\ufffd');
  assert.equal(escapeXml('😀 é'), '😀 é');
});
