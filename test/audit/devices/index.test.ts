import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEVICE_TYPES, isDeviceType, sinkFactories, type DeviceType } from '../../../src/audit/devices/index.js';
import type { SinkFactory } from '../../../src/audit/devices/types.js';
import { testContext } from './helpers.js';

// Compile-time: the registry stays an exhaustive map from every device type to a factory.
const registry: Record<DeviceType, SinkFactory> = sinkFactories;

describe('device registry', () => {
  it('maps every device type to a factory', () => {
    assert.deepEqual([...DEVICE_TYPES].sort(), ['file', 'http', 'relp', 'socket', 'syslog']);
    for (const type of DEVICE_TYPES) assert.equal(typeof registry[type], 'function');
    assert.equal(isDeviceType('socket'), true);
    assert.equal(isDeviceType('kafka'), false);
    assert.equal(isDeviceType('toString'), false);
  });

  it('builds each sink from valid options (lazily for network sinks)', async () => {
    const valid: Record<DeviceType, Record<string, string>> = {
      file: { file_path: 'discard', format: 'json', prefix: 'x' },
      socket: { address: '127.0.0.1:9', socket_type: 'tcp' },
      syslog: { facility: 'LOCAL0', tag: 'sealtrail' },
      relp: { address: '127.0.0.1:9', facility: 'LOCAL0' },
      http: { url: 'http://127.0.0.1:9/ingest' },
    };
    for (const type of DEVICE_TYPES) {
      const sink = await sinkFactories[type](testContext(valid[type]));
      await sink.reopen();
      await sink.close();
    }
  });
});
