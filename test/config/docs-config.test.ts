/**
 * Every configuration block the documentation shows (fenced `hcl` and `json` blocks in README.md
 * and docs/) is one the server accepts, and `operator diagnose` reports a problem with its line.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../src/config/load.js';
import { startupProblems } from '../../src/config/startup.js';
import { runIn } from '../cli/harness.js';

const root = new URL('../../', import.meta.url).pathname;
const documents = ['README.md', ...readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

function configBlocks(): Array<{ where: string; lang: string; text: string }> {
  const blocks = [];
  for (const doc of documents) {
    const lines = readFileSync(join(root, doc), 'utf8').split('\n');
    for (let i = 0; i < lines.length; i++) {
      const open = /^```(hcl|json)\s*$/.exec(lines[i]);
      if (!open) continue;
      const end = lines.indexOf('```', i + 1);
      blocks.push({ where: `${doc}:${i + 1}`, lang: open[1], text: lines.slice(i + 1, end).join('\n') });
      i = end;
    }
  }
  return blocks;
}

test('every hcl/json configuration block in the documentation parses, and operator diagnose accepts it', async () => {
  const blocks = configBlocks();
  assert.ok(blocks.length >= 2, `expected the README's and the audit doc's config blocks, found ${blocks.length}`);
  const dir = mkdtempSync(join(tmpdir(), 'sealtrail-doc-config-'));
  try {
    for (const [i, block] of blocks.entries()) {
      const config = await parseConfig(block.text, `doc.${block.lang}`).catch((err: Error) => assert.fail(`${block.where}: ${err.message}`));
      // A block that declares a whole server (listener and storage) would start as it is; a
      // fragment (an audit device, say) is checked as dev mode would use it.
      const whole = config.declared.listener || config.declared.storage;
      if (whole) assert.deepEqual(startupProblems(config, { dev: false }), [], block.where);
      // The docs' system paths (/var/lib/..., /etc/...) moved under a temporary directory, so the
      // check does not depend on who runs the tests.
      const file = join(dir, `block-${i}.${block.lang}`);
      writeFileSync(file, block.text.replace(/"\/(var|etc)\//g, `"${dir}/$1/`));
      const r = await runIn(['operator', 'diagnose', '-config', file, ...(whole ? [] : ['-dev'])]);
      assert.equal(r.code, 0, `${block.where}: ${r.stdout}${r.stderr}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('operator diagnose: exit 0 on a good file; each problem with file:line; exit 1', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sealtrail-diagnose-'));
  try {
    const good = join(dir, 'good.hcl');
    writeFileSync(good, `listener "tcp" {\n  address = "127.0.0.1:8200"\n  tls_disable = true\n}\nstorage "sqlite" {\n  path = "${join(dir, 'data', 'db')}"\n}\n`);
    const ok = await runIn(['operator', 'diagnose', '-config', good]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /good\.hcl: ok \(listener 127\.0\.0\.1:8200 \(TLS off\), storage sqlite/);

    // An S3 trail is named with its destination; its endpoint is not contacted (port 9 discards).
    const s3 = join(dir, 's3.hcl');
    writeFileSync(s3, `${readFileSync(good, 'utf8')}trail "main" {\n  bucket = "audit-bucket"\n  prefix = "st"\n  s3 {\n    endpoint = "http://127.0.0.1:9"\n    credentials {\n      access_key_id = "AKIAEXAMPLE"\n      secret_access_key = "not-shown-anywhere"\n    }\n  }\n}\n`);
    const s3ok = await runIn(['operator', 'diagnose', '-config', s3]);
    assert.equal(s3ok.code, 0, s3ok.stdout + s3ok.stderr);
    assert.match(s3ok.stdout, /1 trail\(s\) \(main → s3:\/\/audit-bucket\/st at http:\/\/127\.0\.0\.1:9\)\)\n$/);
    assert.ok(!s3ok.stdout.includes('not-shown-anywhere') && !s3ok.stdout.includes('AKIAEXAMPLE'));

    const bad = join(dir, 'bad.hcl');
    writeFileSync(bad, 'listener "tcp" {\n  address = "127.0.0.1:8200"\n}\nlog_level = "loud"\n');
    const r = await runIn(['operator', 'diagnose', '-config', bad]);
    assert.equal(r.code, 1);
    assert.deepEqual(r.stdout.trim().split('\n'), [
      `${bad}:1: listener "tcp": tls_cert_file and tls_key_file are required unless tls_disable = true`,
      `${bad}:4: log_level must be one of trace, debug, info, warn, error`,
    ]);

    // Audit devices the server would refuse at unseal are named now, each with the line of its block.
    const devices = join(dir, 'devices.hcl');
    writeFileSync(devices, `${readFileSync(good, 'utf8')}audit "filex" "a/" {\n  options = { file_path = "/tmp/a.log" }\n}\naudit "file" "b/" {\n  options = { file_path = "/tmp/b.log", mode = "0777" }\n}\naudit "file" "c" {\n  options = { file_path = "/tmp/c.log" }\n}\naudit "socket" "c/" {\n  options = { address = "127.0.0.1:9" }\n}\n`);
    const refused = await runIn(['operator', 'diagnose', '-config', devices]);
    assert.equal(refused.code, 1);
    assert.deepEqual(refused.stdout.trim().split('\n'), [
      `${devices}:8: audit device "b/": file audit device: option "mode" must not grant execute permission (audit logs are never executable)`,
      `${devices}:8: audit device "a/": unknown type "filex" (known: file, http, relp, socket, syslog)`,
      `${devices}:8: audit device "c/" is declared twice`,
    ]);

    const incomplete = join(dir, 'incomplete.hcl');
    writeFileSync(incomplete, 'log_level = "info"\n');
    const json = await runIn(['operator', 'diagnose', '-config', incomplete, '-format', 'json']);
    assert.equal(json.code, 1);
    assert.deepEqual(JSON.parse(json.stdout).problems.map((p: { key: string }) => p.key), ['listener', 'storage']);
    // Dev mode supplies both, where the server's -dev flags say: the file's own are not claimed.
    const dev = await runIn(['operator', 'diagnose', '-config', incomplete, '-dev']);
    assert.deepEqual([dev.code, dev.stdout], [0, `${incomplete}: ok (listener -dev-listen-address (127.0.0.1:8200 unless given, TLS off), storage sqlite under -dev-data-dir (a temporary directory unless given), 0 audit device(s), 0 trail(s))\n`]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
