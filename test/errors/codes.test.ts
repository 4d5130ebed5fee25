import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  AWS_ERROR_TYPES, ERROR_CODES, SealtrailError, awsErrorOf, errorSpec, sealed,
  type ErrorCode, type ErrorKind, type ErrorSpec,
} from '../../src/errors/index.js';
import { vaultErrorReply } from '../../src/server/errors.js';

const ROOT = join(import.meta.dirname, '..', '..');
const silentLog = { error: () => {} };
const awsCtx = { principalArn: 'arn:aws:iam::111122223333:user/u', action: 'kms:Encrypt', internalType: 'KMSInternalException' };

interface DocRow { kind: string; status: number }

/** The rows of the table under one `## ` heading of docs/errors.md: code → kind, status. */
function documented(heading: string): Map<string, DocRow> {
  const text = readFileSync(join(ROOT, 'docs', 'errors.md'), 'utf8');
  const start = text.indexOf(`\n## ${heading}`);
  assert.ok(start >= 0, `docs/errors.md has a "## ${heading}" section`);
  const end = text.indexOf('\n## ', start + 1);
  const rows = new Map<string, DocRow>();
  for (const line of text.slice(start, end < 0 ? undefined : end).split('\n')) {
    const m = /^\| `([^`]+)` \| (\w+) \| (\d{3}) \| .+\|$/.exec(line);
    if (!m) continue;
    assert.ok(!rows.has(m[1]), `${m[1]} is listed once`);
    rows.set(m[1], { kind: m[2], status: Number(m[3]) });
  }
  return rows;
}

function asRows(table: Record<string, ErrorSpec>): Map<string, DocRow> {
  return new Map(Object.entries(table).map(([code, spec]) => [code, { kind: spec.kind, status: spec.status }]));
}

test('docs/errors.md lists exactly the Sealtrail codes of the table, with their kind and status', () => {
  assert.deepEqual(documented('Sealtrail codes'), asRows(ERROR_CODES));
});

test('docs/errors.md lists exactly the AWS exception names of the table, with their kind and status', () => {
  assert.deepEqual(documented('AWS exception names'), asRows(AWS_ERROR_TYPES));
});

test('no code is both a Sealtrail code and an AWS exception name', () => {
  assert.deepEqual(Object.keys(ERROR_CODES).filter((c) => Object.hasOwn(AWS_ERROR_TYPES, c)), []);
});

test('the Vault edge answers each Sealtrail code with the status the table records', () => {
  for (const [code, spec] of Object.entries(ERROR_CODES) as [ErrorCode, ErrorSpec][]) {
    const reply = vaultErrorReply(new SealtrailError(spec.kind, code, 'm'), silentLog);
    assert.equal(reply.status, spec.status, code);
  }
});

test('a fixed message in the table is the message its helper gives', () => {
  assert.equal(sealed().message, ERROR_CODES.sealed.message);
  for (const [code, spec] of Object.entries(ERROR_CODES) as [ErrorCode, ErrorSpec][]) {
    if (spec.message === undefined) continue;
    const body = JSON.parse(vaultErrorReply(new SealtrailError(spec.kind, code, spec.message), silentLog).body as string) as { errors: string[] };
    // not_found is answered with an empty list, as Vault does; the others show the message.
    assert.deepEqual(body.errors, code === 'not_found' ? [] : [spec.message], code);
  }
});

test('the AWS edge answers each AWS exception name as its own __type with the status the table records', () => {
  for (const [code, spec] of Object.entries(AWS_ERROR_TYPES) as [ErrorCode, ErrorSpec][]) {
    if (spec.kind === 'internal') {
      assert.equal(awsErrorOf(new SealtrailError('internal', code, 'm'), { ...awsCtx, internalType: code }).status, spec.status, code);
    } else if (code === 'ServiceUnavailableException') {
      // Never thrown by name: the AWS edge gives it to a sealed or unavailable server.
      assert.deepEqual(awsErrorOf(sealed(), awsCtx), { status: spec.status, type: code, message: 'Vault is sealed' });
    } else {
      assert.deepEqual(awsErrorOf(new SealtrailError(spec.kind, code, 'm'), awsCtx), { status: spec.status, type: code, message: 'm' }, code);
    }
  }
});

test('on the AWS edge a Sealtrail code takes its kind\'s exception name; a too_large one keeps its 413', () => {
  assert.deepEqual(awsErrorOf(new SealtrailError('too_large', 'json_too_many_entries', 'm'), awsCtx), { status: 413, type: 'ValidationException', message: 'm' });
  assert.deepEqual(awsErrorOf(new SealtrailError('too_large', 'body_too_large', 'm'), awsCtx), { status: 413, type: 'ValidationException', message: 'm' });
  assert.deepEqual(awsErrorOf(new SealtrailError('invalid', 'json_too_deep', 'm'), awsCtx), { status: 400, type: 'ValidationException', message: 'm' });
});

test('errorSpec finds a code in either table', () => {
  assert.deepEqual(errorSpec('malformed_json'), { kind: 'invalid', status: 400 });
  assert.deepEqual(errorSpec('NotFoundException'), { kind: 'not_found', status: 400 });
});

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => join(e.parentPath, e.name));
}

/** Where the code is a literal, the kind a call site throws it with is the table's kind. */
test('every literal call site in src/ throws its code with the kind the table records', () => {
  const HELPER_KIND: Record<string, ErrorKind> = { invalid: 'invalid', notFound: 'not_found', permissionDenied: 'permission', unsupportedOperation: 'unsupported' };
  const sites: { where: string; kind: string; code: string }[] = [];
  for (const file of sourceFiles(join(ROOT, 'src'))) {
    const text = readFileSync(file, 'utf8');
    const where = file.slice(ROOT.length + 1);
    for (const m of text.matchAll(/new SealtrailError\(\s*'(\w+)',\s*'(\w+)'/g)) sites.push({ where, kind: m[1], code: m[2] });
    for (const m of text.matchAll(/(?<![.\w])(invalid|notFound|permissionDenied|unsupportedOperation)\(/g)) {
      // The call's arguments: up to the parenthesis that closes it; the code is its last argument.
      let depth = 1;
      let i = m.index + m[0].length;
      for (; i < text.length && depth > 0; i++) depth += text[i] === '(' ? 1 : text[i] === ')' ? -1 : 0;
      // invalid and notFound take the message first, so their code follows a comma.
      const codeArg = m[1] === 'invalid' || m[1] === 'notFound' ? /,\s*'(\w+)',?\s*\)$/ : /^\w+\(\s*'(\w+)'\s*\)$/;
      const code = codeArg.exec(text.slice(m.index, i));
      if (code) sites.push({ where, kind: HELPER_KIND[m[1]], code: code[1] });
    }
  }
  assert.ok(sites.length > 150, `found ${sites.length} call sites`);
  const wrong = sites.filter((s) => !Object.hasOwn(ERROR_CODES, s.code) && !Object.hasOwn(AWS_ERROR_TYPES, s.code)
    ? true : errorSpec(s.code as ErrorCode).kind !== s.kind);
  assert.deepEqual(wrong, []);
});
