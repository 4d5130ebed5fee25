import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePolicy } from '../../../src/auth/policy/parse.js';
import { SealtrailError } from '../../../src/errors/index.js';
import { withFaultParser } from '../../lib/hcl-fault-parser.js';

test('HCL policy parses to rules', async () => {
  const parsed = await parsePolicy(`
# comment
path "secret/data/*" {
  capabilities = ["read", "list"]
}
path "secret/data/+/cfg" {
  capabilities = ["update", "deny"]
}
path "/sys/audit" {
  policy = "sudo"
}
path "secret/params" {
  capabilities = ["create"]
  allowed_parameters = { "colour" = ["red", "blue"] }
  required_parameters = ["colour"]
  min_wrapping_ttl = "1m"
  max_wrapping_ttl = "1h"
}`);
  assert.deepEqual(parsed, {
    // hcl2json returns path blocks sorted by path; order does not matter to the ACL.
    paths: [
      { path: 'sys/audit', capabilities: ['create', 'delete', 'list', 'read', 'sudo', 'update'] },
      { path: 'secret/data/*', capabilities: ['list', 'read'] },
      { path: 'secret/data/+/cfg', capabilities: ['deny'] },
      {
        path: 'secret/params', capabilities: ['create'], allowedParameters: { colour: ['red', 'blue'] },
        requiredParameters: ['colour'], minWrappingTtl: 60, maxWrappingTtl: 3600,
      },
    ],
  });
});

test('JSON policy parses to the same rules', async () => {
  const parsed = await parsePolicy(JSON.stringify({
    path: { 'secret/*': { capabilities: ['read'] }, 'kv/+/x': [{ capabilities: ['list', 'create'] }] },
  }));
  assert.deepEqual(parsed, {
    paths: [
      { path: 'secret/*', capabilities: ['read'] },
      { path: 'kv/+/x', capabilities: ['create', 'list'] },
    ],
  });
  assert.deepEqual(await parsePolicy('# only a comment\n'), { paths: [] });
});

const BAD: Array<[string, string, RegExp]> = [
  ['unclosed HCL', 'path "x" { capabilities = [', /^failed to parse policy: policy\.hcl:1,\d+-\d+: /],
  ['unknown capability', 'path "x" { capabilities = ["reed"] }', /^failed to parse policy: path "x": invalid capability "reed"$/],
  ['unknown key in block', 'path "x" { capabilites = ["read"] }', /^failed to parse policy: path "x": invalid key "capabilites"$/],
  ['unknown top-level key', 'paths "x" { capabilities = ["read"] }', /^failed to parse policy: invalid key "paths"$/],
  ['old policy word', 'path "x" { policy = "admin" }', /^failed to parse policy: path "x": invalid policy "admin"$/],
  ['capabilities not a list', '{"path": {"x": {"capabilities": "read"}}}', /^failed to parse policy: path "x": capabilities must be a list$/],
  ['bad JSON', '{"path": ', /^failed to parse policy: invalid JSON: unexpected end of JSON input$/],
  ['bad JSON, quoting nothing', '{"path": {"x": {"capabilities": [read]}}}', /^failed to parse policy: invalid JSON: invalid character at position 33$/],
  ['bad wrapping ttl', 'path "x" { min_wrapping_ttl = "soon" }', /min_wrapping_ttl is not a valid duration$/],
  // What the ACL cannot enforce is refused, never loaded as a plain grant.
  ['control group', 'path "x" {\n capabilities = ["read"]\n control_group {\n factor "ops" {\n identity {\n group_names = ["ops"]\n approvals = 2\n }\n }\n }\n}',
    /^failed to parse policy: path "x": control_group is not supported$/],
  ['control group in JSON', '{"path": {"x": {"capabilities": ["read"], "control_group": {"factor": {"ops": {"identity": {"group_names": ["ops"], "approvals": 2}}}}}}}',
    /^failed to parse policy: path "x": control_group is not supported$/],
  ['MFA methods', 'path "x" {\n capabilities = ["read"]\n mfa_methods = ["totp"]\n}', /^failed to parse policy: path "x": mfa_methods is not supported$/],
  ['templated path', 'path "secret/data/{{identity.entity.id}}/*" { capabilities = ["read"] }',
    /^failed to parse policy: path "secret\/data\/\{\{identity\.entity\.id\}\}\/\*": templated policies are not supported$/],
  ['+* in a path', 'path "secret/+*" { capabilities = ["read"] }', /^failed to parse policy: path "secret\/\+\*": invalid use of wildcards \('\+\*' is forbidden\)$/],
  ['HCL template', 'path "x" { comment = "${upper(\"a\")}" }', /^failed to parse policy: HCL templates \(\$\{…\}, %\{…\}\) are not supported in policies$/],
  ['templated path in JSON', '{"path": {"kv/{{ identity.entity.name }}": {"capabilities": ["read"]}}}', /templated policies are not supported$/],
];

for (const [name, text, message] of BAD) {
  test(`bad policy is a 400 invalid_policy: ${name}`, async () => {
    await assert.rejects(parsePolicy(text), (err: unknown) => {
      assert.ok(err instanceof SealtrailError);
      assert.equal(err.kind, 'invalid');
      assert.equal(err.code, 'invalid_policy');
      assert.match(err.message, message);
      return true;
    });
  });
}

test('a policy nested too deep for the HCL parser is refused before it reads it, and the parser keeps working', async () => {
  const deep = (open: string, close = '') => open.repeat(10_000) + close.repeat(10_000);
  const texts = [
    `path "x" { comment = ${deep('[', ']')} }`,
    `path "x" { comment = "\${${deep('(', ')')}}" }`,
    `path "x" {\n comment = <<EOT\n\${${deep('{', '}')}}\nEOT\n}`,
    `path "x" { comment = ${deep('-')}1 }`,
    `path "x" { comment = ${deep('!')}true }`,
    `path "x" { comment = ${'true ? 1 : '.repeat(10_000)}1 }`,
    // Stray closers and strings do not hide the levels the parser opens.
    `path "x" { comment = ${'[ ) "]]" '.repeat(10_000)} }`,
    `{"path": {"x": {"capabilities": ["read"], "allowed_parameters": {"a": ${deep('[', ']')}}}}}`,
  ];
  // Each of these overflowed the parser's stack; a few overflows left the Go runtime dead.
  for (let round = 0; round < 2; round++) {
    for (const text of texts) {
      await assert.rejects(parsePolicy(text), (err: unknown) => {
        assert.ok(err instanceof SealtrailError);
        assert.equal(err.code, 'invalid_policy');
        assert.equal(err.message, 'failed to parse policy: the policy nests deeper than 32 levels');
        return true;
      });
    }
  }
  assert.deepEqual((await parsePolicy('path "y" { capabilities = ["read"] }')).paths, [{ path: 'y', capabilities: ['read'] }]);
  // Brackets inside strings, comments and heredocs are text, not nesting.
  const wordy = `# ${'['.repeat(100)}\npath "z" {\n comment = "${'{'.repeat(100)}"\n capabilities = ["read"] /* ${'('.repeat(100)} */\n}\n` +
    `path "w" {\n comment = <<EOT\n${'['.repeat(100)}\nEOT\n capabilities = ["list"]\n}\n`;
  assert.deepEqual(Object.fromEntries((await parsePolicy(wordy)).paths.map((p) => [p.path, p.capabilities])), { z: ['read'], w: ['list'] });
  // Operators nest only within their item: forty negative numbers in a list are forty items.
  const numbers = `path "n" {\n capabilities = ["update"]\n allowed_parameters = { "n" = [${Array.from({ length: 40 }, (_, i) => -i - 1).join(', ')}] }\n}`;
  assert.equal((await parsePolicy(numbers)).paths[0].allowedParameters?.n.length, 40);
});

test('a policy over 1 MiB is refused unparsed', async () => {
  const rule = 'path "p/0123456789" { capabilities = ["read"] }\n';
  const text = rule.repeat(Math.ceil((1024 * 1024 + 1) / rule.length));
  await assert.rejects(parsePolicy(text), /^SealtrailError: failed to parse policy: the policy is larger than 1048576 bytes$/);
  assert.equal((await parsePolicy(rule.repeat(1000))).paths.length, 1000);
});

test('a policy the HCL parser does not finish in time, or dies over, is refused, and the next policy parses', async () => {
  await withFaultParser(200, async () => {
    for (const [text, message] of [
      ['hang', 'failed to parse policy: the policy could not be parsed in time'],
      ['exit', 'failed to parse policy: the policy could not be parsed'],
      ['invalid', 'failed to parse policy: x.hcl:1,1-2: Argument or block definition required'],
    ]) {
      await assert.rejects(parsePolicy(text), (err: unknown) => {
        assert.ok(err instanceof SealtrailError);
        assert.equal(err.code, 'invalid_policy');
        assert.equal(err.message, message);
        return true;
      }, text);
    }
  });
  assert.deepEqual((await parsePolicy('path "y" { capabilities = ["read"] }')).paths, [{ path: 'y', capabilities: ['read'] }]);
});

test('sub-second wrapping limits stay limits (one second), not "no limit"', async () => {
  const parsed = await parsePolicy('path "secret/*" {\n  capabilities = ["read"]\n  min_wrapping_ttl = "500ms"\n  max_wrapping_ttl = "900ms"\n}');
  assert.deepEqual([parsed.paths[0].minWrappingTtl, parsed.paths[0].maxWrappingTtl], [1, 1]);
});
