/**
 * The CLI against servers on TLS with private-CA certificates, made by openssl for this file: the
 * real server (its listener on port 0 with a certificate for 127.0.0.1 and localhost), the same
 * with a listener that requires a client certificate, and a bare node:https server that echoes
 * the SNI it was sent. Vault's TLS client settings — flags, SEALTRAIL_ and VAULT_ variables —
 * decide whether a command connects; bad settings end it in one line before any request.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { join } from 'node:path';
import { runIn, type CliRun } from '../cli/harness.js';
import { startDevServer, type TestServer } from '../helpers/server.js';
import { makePrivateCa, type PrivateCa } from '../helpers/tls-certs.js';

let ca: PrivateCa;
let other: PrivateCa;
let server: TestServer;
let mutual: TestServer;
let echo: Server;
let echoAddress = '';

before(async () => {
  ca = makePrivateCa('Sealtrail Test CA');
  other = makePrivateCa('Some Other CA');
  const config = join(ca.dir, 'tls.hcl');
  writeFileSync(config, `listener "tcp" {\n  tls_cert_file = "${ca.server.cert}"\n  tls_key_file = "${ca.server.key}"\n}\n`);
  server = await startDevServer({ configPath: config });
  const mutualConfig = join(ca.dir, 'mutual.hcl');
  writeFileSync(mutualConfig, `listener "tcp" {\n  tls_cert_file = "${ca.server.cert}"\n  tls_key_file = "${ca.server.key}"\n  tls_require_and_verify_client_cert = true\n  tls_client_ca_file = "${ca.caCert}"\n}\n`);
  mutual = await startDevServer({ configPath: mutualConfig });
  // Answers a Vault-shaped read with the SNI it was sent.
  echo = createServer({ cert: readFileSync(ca.server.cert), key: readFileSync(ca.server.key) }, (req, res) => {
    const sni = (req.socket as TLSSocket & { servername?: string | false }).servername || null;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data: { sni } }));
  });
  await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
  echoAddress = `https://127.0.0.1:${(echo.address() as { port: number }).port}`;
});

after(async () => {
  await server?.stop();
  await mutual?.stop();
  echo?.closeAllConnections();
  await new Promise((resolve) => echo?.close(resolve));
  ca?.remove();
  other?.remove();
});

/** The CLI against the TLS server with the root token; `env` adds to (or, as undefined, removes from) that. */
function cli(args: string[], env: Record<string, string | undefined> = {}): Promise<CliRun> {
  return runIn(args, { env: { SEALTRAIL_ADDR: server.address, SEALTRAIL_TOKEN: server.rootToken, ...env } });
}

/**
 * `ledger checkpoint` once the server has signed its first checkpoint, which comes shortly after
 * start (later on a busy machine): before it, the fetcher rightly says there is none yet.
 */
async function ledgerCheckpoint(env: Record<string, string | undefined>): Promise<CliRun> {
  for (const deadline = Date.now() + 20_000; ;) {
    const r = await cli(['ledger', 'checkpoint'], env);
    if (r.code === 0 || !/the ledger has no signed checkpoint yet/.test(r.stderr) || Date.now() > deadline) return r;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const connected = (r: CliRun, what: string) => {
  assert.equal(r.code, 0, `${what}: ${r.stderr}`);
  assert.equal(r.stderr, '', what);
};
const untrusted = (r: CliRun, what: string, code = 2) => {
  assert.equal(r.code, code, `${what}: ${r.stdout}`);
  assert.match(r.stderr, /^Error [^\n]*: (unable to verify the first certificate|self-signed certificate in certificate chain) \(the server's certificate is not from a CA the CLI trusts: name the CA with -ca-cert or -ca-path, or SEALTRAIL_CACERT or SEALTRAIL_CAPATH\)\n$/, what);
};

test('without TLS settings a private-CA server is refused in one line that names the settings to give', async () => {
  untrusted(await cli(['token', 'lookup']), 'a command with the token');
  untrusted(await cli(['status']), 'status, whose 2 means sealed', 1);
  untrusted(await cli(['ledger', 'checkpoint']), 'the ledger fetcher');
});

test('-ca-cert, VAULT_CACERT, SEALTRAIL_CACERT and VAULT_CAPATH trust the CA, in place of the system roots', async () => {
  const caDir = join(ca.dir, 'trusted');
  mkdirSync(join(caDir, 'nested'), { recursive: true });
  writeFileSync(join(caDir, 'nested', 'ca.pem'), readFileSync(ca.caCert));
  writeFileSync(join(caDir, 'other.pem'), readFileSync(other.caCert));
  connected(await cli(['token', 'lookup', `-ca-cert=${ca.caCert}`]), '-ca-cert after the command');
  connected(await cli([`-ca-cert=${ca.caCert}`, 'kv', 'put', 'secret/tls', 'a=1']), '-ca-cert before the command');
  connected(await cli(['kv', 'get', '-ca-cert', ca.caCert, 'secret/tls']), '-ca-cert with its value apart');
  connected(await cli(['kv', 'get', 'secret/tls'], { VAULT_CACERT: ca.caCert }), 'VAULT_CACERT');
  connected(await cli(['kv', 'get', 'secret/tls'], { SEALTRAIL_CACERT: ca.caCert }), 'SEALTRAIL_CACERT');
  connected(await cli(['kv', 'get', 'secret/tls'], { VAULT_CAPATH: caDir }), 'VAULT_CAPATH, walked into its subdirectories');
  connected(await cli(['kv', 'get', 'secret/tls'], { SEALTRAIL_CAPATH: caDir }), 'SEALTRAIL_CAPATH');
  connected(await cli(['status', `-ca-path=${caDir}`]), '-ca-path, for a command without a token');
  connected(await ledgerCheckpoint({ VAULT_CACERT: ca.caCert }), 'the ledger fetcher');
  connected(await cli(['journal', 'search', '--path-prefix', 'secret/data/tls'], { VAULT_CACERT: ca.caCert }), 'the journal reader');
  // Another CA only: the server's is not added to it.
  untrusted(await cli(['token', 'lookup'], { VAULT_CACERT: other.caCert }), 'another CA');
  // As go-rootcerts: a CA file wins over a CA directory.
  untrusted(await cli(['token', 'lookup'], { VAULT_CACERT: other.caCert, VAULT_CAPATH: caDir }), 'the file over the directory');
});

test('VAULT_SKIP_VERIFY and -tls-skip-verify connect without verifying; -tls-skip-verify=false overrides the variable', async () => {
  connected(await cli(['token', 'lookup'], { VAULT_SKIP_VERIFY: 'true' }), 'VAULT_SKIP_VERIFY=true');
  connected(await cli(['token', 'lookup'], { SEALTRAIL_SKIP_VERIFY: '1' }), 'SEALTRAIL_SKIP_VERIFY=1');
  connected(await cli(['token', 'lookup', '-tls-skip-verify']), '-tls-skip-verify');
  connected(await cli(['token', 'lookup', '-tls-skip-verify=true', `-ca-cert=${other.caCert}`]), 'skip-verify whatever the CA');
  untrusted(await cli(['token', 'lookup', '-tls-skip-verify=false'], { VAULT_SKIP_VERIFY: 'true' }), '-tls-skip-verify=false');
  untrusted(await cli(['token', 'lookup'], { VAULT_SKIP_VERIFY: 'false' }), 'VAULT_SKIP_VERIFY=false');
});

test('SEALTRAIL_ variables win over VAULT_ ones, and a flag over both', async () => {
  connected(await cli(['token', 'lookup'], { SEALTRAIL_CACERT: ca.caCert, VAULT_CACERT: other.caCert }), 'SEALTRAIL_CACERT over VAULT_CACERT');
  untrusted(await cli(['token', 'lookup'], { SEALTRAIL_CACERT: other.caCert, VAULT_CACERT: ca.caCert }), 'SEALTRAIL_CACERT (wrong) over VAULT_CACERT');
  connected(await cli(['token', 'lookup', `-ca-cert=${ca.caCert}`], { SEALTRAIL_CACERT: other.caCert, VAULT_CACERT: other.caCert }), '-ca-cert over both');
  untrusted(await cli(['token', 'lookup', `-ca-cert=${other.caCert}`], { SEALTRAIL_CACERT: ca.caCert }), '-ca-cert (wrong) over SEALTRAIL_CACERT');
  untrusted(await cli(['token', 'lookup'], { SEALTRAIL_SKIP_VERIFY: 'false', VAULT_SKIP_VERIFY: 'true' }), 'SEALTRAIL_SKIP_VERIFY over VAULT_SKIP_VERIFY');
  const named = await cli(['token', 'lookup', '-tls-server-name=localhost'], { VAULT_CACERT: ca.caCert, SEALTRAIL_TLS_SERVER_NAME: 'elsewhere.example', VAULT_TLS_SERVER_NAME: 'elsewhere.example' });
  connected(named, '-tls-server-name over both variables');
});

test('-tls-server-name is the name verified in the certificate and sent as SNI', async () => {
  const name = (value: string) => cli(['token', 'lookup', `-tls-server-name=${value}`, `-ca-cert=${ca.caCert}`]);
  connected(await name('localhost'), 'a name the certificate holds');
  const wrong = await name('elsewhere.example');
  assert.equal(wrong.code, 2);
  assert.match(wrong.stderr, /^Error looking up token: Hostname\/IP does not match certificate's altnames: Host: elsewhere\.example\. is not in the cert's altnames: IP Address:127\.0\.0\.1, DNS:localhost \(the server's certificate is not for this name: use an address with a name it holds, or -tls-server-name\)\n$/);
  const sni = async (env: Record<string, string>) => {
    const r = await runIn(['read', '-format=json', 'sys/echo'], { env: { SEALTRAIL_ADDR: echoAddress, SEALTRAIL_TOKEN: 'unused', VAULT_CACERT: ca.caCert, ...env } });
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout).data.sni as string | null;
  };
  assert.equal(await sni({ VAULT_TLS_SERVER_NAME: 'localhost' }), 'localhost');
  assert.equal(await sni({}), null, 'an IP address is not sent as SNI');
});

test('a client certificate and key are presented to a listener that requires one', async () => {
  const lookup = (env: Record<string, string>, args: string[] = []) =>
    runIn(['token', 'lookup', ...args], { env: { SEALTRAIL_ADDR: mutual.address, SEALTRAIL_TOKEN: mutual.rootToken, VAULT_CACERT: ca.caCert, ...env } });
  const refused = await lookup({});
  assert.equal(refused.code, 2, 'no certificate, no answer');
  assert.match(refused.stderr, /^Error looking up token: /);
  for (const [what, run] of [
    ['VAULT_CLIENT_CERT and VAULT_CLIENT_KEY', lookup({ VAULT_CLIENT_CERT: ca.client.cert, VAULT_CLIENT_KEY: ca.client.key })],
    ['SEALTRAIL_CLIENT_CERT and SEALTRAIL_CLIENT_KEY', lookup({ SEALTRAIL_CLIENT_CERT: ca.client.cert, SEALTRAIL_CLIENT_KEY: ca.client.key })],
    ['-client-cert and -client-key', lookup({}, [`-client-cert=${ca.client.cert}`, `-client-key=${ca.client.key}`])],
  ] as const) {
    const r = await run;
    assert.equal(r.code, 0, `${what}: ${r.stderr}`);
    assert.match(r.stdout, /^policies +\[root\]$/m, what);
  }
  // The flags win over the variables: a pair the listener's CA did not issue is refused.
  const foreign = await lookup({ VAULT_CLIENT_CERT: ca.client.cert, VAULT_CLIENT_KEY: ca.client.key }, [`-client-cert=${other.client.cert}`, `-client-key=${other.client.key}`]);
  assert.equal(foreign.code, 2, foreign.stdout);
});

test('bad TLS settings end the command in one line with exit 2, naming the file and the setting, never its contents', async () => {
  const notPem = join(ca.dir, 'not-pem.txt');
  writeFileSync(notPem, 'SECRET-LOOKING-TEXT 1234\n');
  const emptyDir = join(ca.dir, 'mixed');
  mkdirSync(emptyDir, { recursive: true });
  writeFileSync(join(emptyDir, 'a.pem'), readFileSync(ca.caCert));
  writeFileSync(join(emptyDir, 'b.txt'), 'SECRET-LOOKING-TEXT 1234\n');
  const missing = join(ca.dir, 'missing.pem');
  // Files found in a CA directory that are no regular file: a FIFO would block the open for good.
  const fifoDir = join(ca.dir, 'fifo');
  mkdirSync(fifoDir, { recursive: true });
  writeFileSync(join(fifoDir, 'a.pem'), readFileSync(ca.caCert));
  execFileSync('mkfifo', [join(fifoDir, 'b.pem')]);
  const zeroDir = join(ca.dir, 'zero');
  mkdirSync(zeroDir, { recursive: true });
  symlinkSync('/dev/zero', join(zeroDir, 'a.pem'));
  const cases: Array<[string[], Record<string, string>, string]> = [
    [[`-ca-path=${fifoDir}`], {}, `sealtrail: ${join(fifoDir, 'b.pem')}: not a regular file (-ca-path)`],
    [[], { VAULT_CAPATH: zeroDir }, `sealtrail: ${join(zeroDir, 'a.pem')}: not a regular file (VAULT_CAPATH)`],
    [[`-ca-cert=${missing}`], {}, `sealtrail: ${missing}: no such file or directory (-ca-cert)`],
    [[], { VAULT_CACERT: notPem }, `sealtrail: ${notPem}: no PEM certificate in the file (VAULT_CACERT)`],
    [[], { VAULT_CACERT: ca.client.key }, `sealtrail: ${ca.client.key}: no PEM certificate in the file (VAULT_CACERT)`],
    [[], { SEALTRAIL_CAPATH: emptyDir }, `sealtrail: ${join(emptyDir, 'b.txt')}: no PEM certificate in the file (SEALTRAIL_CAPATH)`],
    [[], { VAULT_CAPATH: missing }, `sealtrail: ${missing}: no such file or directory (VAULT_CAPATH)`],
    [[`-client-cert=${ca.client.cert}`], {}, 'sealtrail: -client-cert is given without a client key (-client-key, SEALTRAIL_CLIENT_KEY or VAULT_CLIENT_KEY): both are needed'],
    [[], { VAULT_CLIENT_KEY: ca.client.key }, 'sealtrail: VAULT_CLIENT_KEY is given without a client certificate (-client-cert, SEALTRAIL_CLIENT_CERT or VAULT_CLIENT_CERT): both are needed'],
    [[`-client-cert=${ca.client.key}`, `-client-key=${ca.client.key}`], {}, `sealtrail: ${ca.client.key}: no PEM certificate in the file (-client-cert)`],
    [[`-client-cert=${ca.client.cert}`, `-client-key=${notPem}`], {}, `sealtrail: ${notPem}: no PEM private key in the file (-client-key)`],
    [[`-client-cert=${ca.client.cert}`, `-client-key=${ca.server.key}`], {}, `sealtrail: ${ca.server.key}: not the key of the client certificate ${ca.client.cert} (-client-key)`],
    [[], { VAULT_SKIP_VERIFY: 'yes' }, 'sealtrail: VAULT_SKIP_VERIFY must be true or false (1, t, true, 0, f, false)'],
  ];
  for (const [flags, env, line] of cases) {
    // As vault: exit 2 when the client cannot be made, but 1 from status, whose 2 means sealed.
    for (const [args, code] of [[['token', 'lookup', ...flags], 2], [['status', ...flags], 1]] as const) {
      const r = await cli([...args], env);
      assert.equal(r.code, code, `${args.join(' ')} ${JSON.stringify(env)}: ${r.stderr}`);
      assert.equal(r.stderr, `${line}\n`);
      assert.equal(r.stdout, '');
      assert.doesNotMatch(r.stderr, /SECRET-LOOKING|PRIVATE KEY|BEGIN/);
    }
  }
});

test('the wrong scheme for a listener is said as such: https:// to plain HTTP, http:// to TLS', async () => {
  const plain = await startDevServer();
  try {
    const https = await runIn(['status'], { env: { SEALTRAIL_ADDR: plain.address.replace('http://', 'https://') } });
    assert.equal(https.code, 1);
    assert.equal(https.stderr, 'Error checking seal status: the server at this address does not answer with TLS: use an http:// address (or the port of its TLS listener)\n');
  } finally {
    await plain.stop();
  }
  const http = await runIn(['status'], { env: { SEALTRAIL_ADDR: server.address.replace('https://', 'http://') } });
  assert.equal(http.code, 1);
  assert.match(http.stderr, /^Error checking seal status: [^\n]*\(if the server listens with TLS, use an https:\/\/ address\)\n$/);
});
