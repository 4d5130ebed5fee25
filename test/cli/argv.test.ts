/** Vault-style argv → commander argv. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { preprocessArgv } from '../../src/cli/argv.js';
import { buildProgram, flagKinds } from '../../src/cli/program.js';
import { createContext } from '../../src/cli/context.js';
import { memoryIo } from './harness.js';

const kinds = {
  booleans: new Set(['dev', 'local', 'renewable', 'cas-required']), negatable: new Set(['no-renewable', 'no-cas-required']), positive: new Set(['dev', 'local', 'cas-required']),
};

const cases: Array<[string, string[], string[]]> = [
  ['single-dash long flags gain a dash', ['-format=json', 'kv', 'get', '-version=2', 'secret/a'], ['--format=json', 'kv', 'get', '--version=2', 'secret/a']],
  ['double-dash flags are kept', ['--format=json', '--dev'], ['--format=json', '--dev']],
  ['space-separated value', ['-address', 'http://x:1', 'status'], ['--address', 'http://x:1', 'status']],
  ['single-letter flags stay short', ['-h', '-f'], ['-h', '-f']],
  ['"-" (stdin) and key=value are not flags', ['write', 'a', '-', 'k=-v', 'x=-y=z'], ['write', 'a', '-', 'k=-v', 'x=-y=z']],
  ['boolean =true', ['-dev=true', '-local=1'], ['--dev', '--local']],
  ['boolean =false with a negated form', ['-renewable=false', '-cas-required=F'], ['--no-renewable', '--no-cas-required']],
  ['boolean =false without one is dropped', ['-local=false', 'x'], ['x']],
  ['boolean with a junk value is left for commander to refuse', ['-dev=maybe'], ['--dev=maybe']],
  ['values keep "=" and spaces', ['-description=a = b', '-custom-metadata=k=v'], ['--description=a = b', '--custom-metadata=k=v']],
  ['nothing is rewritten after --', ['read', '--', '-format=json'], ['read', '--', '-format=json']],
  ['dev flags', ['server', '-dev', '-dev-listen-address=127.0.0.1:0'], ['server', '--dev', '--dev-listen-address=127.0.0.1:0']],
];

for (const [name, input, expected] of cases) {
  test(`argv: ${name}`, () => assert.deepEqual(preprocessArgv(input, kinds), expected));
}

test('the real command tree yields its boolean flags', () => {
  const io = memoryIo();
  const program = buildProgram(io, (g) => createContext(io, g));
  const { booleans, negatable } = flagKinds(program);
  for (const name of ['dev', 'local', 'detailed', 'orphan', 'renewable', 'default-policy', 'cas-required', 'accessor', 'self', 'status', 'reset', 'force', 'print', 'tls-skip-verify']) {
    assert.ok(booleans.has(name), name);
  }
  assert.deepEqual([...negatable].sort(), ['no-aws-root', 'no-cas-required', 'no-default-policy', 'no-enclave-key', 'no-print', 'no-renewable', 'no-tls-skip-verify', 'no-vendor-root']);
  assert.ok(!booleans.has('format') && !booleans.has('version') && !booleans.has('path') && !booleans.has('ca-cert'));
  // -tls-skip-verify=false is kept, to override SEALTRAIL_SKIP_VERIFY / VAULT_SKIP_VERIFY.
  assert.deepEqual(preprocessArgv(['status', '-tls-skip-verify=false', '-ca-cert=ca.pem'], flagKinds(program)), ['status', '--no-tls-skip-verify', '--ca-cert=ca.pem']);
});

test('a flag declared only negated (-renewable, -no-default-policy) takes vault\'s =true and =false spellings', () => {
  const io = memoryIo();
  const program = buildProgram(io, (g) => createContext(io, g));
  const real = flagKinds(program);
  assert.deepEqual(preprocessArgv(['token', 'create', '-renewable=true', '-renewable=false'], real), ['token', 'create', '--no-renewable']);
  assert.deepEqual(preprocessArgv(['token', 'create', '-no-default-policy=false', '-orphan=true'], real), ['token', 'create', '--orphan']);
  assert.deepEqual(preprocessArgv(['token', 'create', '-no-default-policy=true'], real), ['token', 'create', '--no-default-policy']);
  assert.deepEqual(preprocessArgv(['kv', 'metadata', 'put', '-cas-required=true', '-cas-required=false'], real), ['kv', 'metadata', 'put', '--cas-required', '--no-cas-required']);
  assert.deepEqual(preprocessArgv(['-no-default-policy=maybe'], real), ['--no-default-policy=maybe'], 'left for commander to refuse');
});
