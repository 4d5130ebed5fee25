import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '../../src/config/load.js';

test('ledger { }: defaults, each key read, and every invalid value refused with a message naming it', async () => {
  const defaults = await parseConfig('');
  assert.deepEqual(defaults.ledger, { enabled: true, checkpointIntervalMs: 1000, public: false });
  const set = await parseConfig('ledger {\n  enabled = false\n  origin = "audit.example.com/sealtrail"\n  checkpoint_interval = "250ms"\n  public = true\n}\n');
  assert.deepEqual(set.ledger, { enabled: false, origin: 'audit.example.com/sealtrail', checkpointIntervalMs: 250, public: true });
  const refused: [string, RegExp][] = [
    ['ledger {\n  origin = "has space"\n}\n', /ledger\.origin must be at most 255 characters without spaces, control characters or "\+"/],
    ['ledger {\n  origin = "a+b"\n}\n', /ledger\.origin must be/],
    [`ledger {\n  origin = "${'o'.repeat(256)}"\n}\n`, /ledger\.origin must be at most 255/],
    ['ledger {\n  origin = ""\n}\n', /ledger\.origin must be a non-empty string/],
    ['ledger {\n  checkpoint_interval = "10ms"\n}\n', /ledger\.checkpoint_interval must be a duration from 100ms to 1h/],
    ['ledger {\n  checkpoint_interval = "2h"\n}\n', /ledger\.checkpoint_interval must be/],
    ['ledger {\n  checkpoint_interval = "soon"\n}\n', /ledger\.checkpoint_interval must be/],
    ['ledger {\n  public = "yes"\n}\n', /ledger\.public must be true or false/],
    ['ledger {\n  publc = true\n}\n', /unknown key "publc" in ledger \(allowed: enabled, origin, checkpoint_interval, public\)/],
    ['ledger {\n  enabled = 1\n}\n', /ledger\.enabled must be true or false/],
    ['ledger {\n}\nledger {\n}\n', /exactly one ledger block is supported/],
  ];
  for (const [text, message] of refused) await assert.rejects(parseConfig(text), message, text);
});
