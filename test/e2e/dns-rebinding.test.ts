/**
 * DNS rebinding, in headless Chromium: a page served from an attacker's name whose DNS then
 * answers 127.0.0.1 (here Chromium's host resolver rules map the name, and the page's own bytes
 * come from the test) is same-origin with its requests to the server — Host and Origin both name
 * the attacker's host — so it could initialize a fresh server and read its unseal keys and root
 * token. Over plain HTTP a browser's request must name the server by an IP address, localhost or
 * one of its own names; the same page on localhost (the control) does initialize it.
 *
 * Chromium itself blocks a page from a public address reaching loopback over plain HTTP (its
 * private/local network access checks); Firefox and Safari do not, so those checks are turned
 * off here and the page behaves as it would there.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runServer } from '../../src/app/run.js';
import { call } from '../helpers/server.js';
import { launchChromium } from '../helpers/console.js';

const ATTACKER_HOST = 'rebind.attacker.test';
const WITHOUT_LOCAL_NETWORK_CHECKS = '--disable-features=PrivateNetworkAccessRespectPreflightResults,PrivateNetworkAccessSendPreflights,BlockInsecurePrivateNetworkRequests,LocalNetworkAccessChecks';

/** The attacker's page: PUT sys/init on its own origin, and show what came back. */
const ATTACK_PAGE = `<!doctype html><script>
window.result = fetch('/v1/sys/init', { method: 'PUT', body: JSON.stringify({ secret_shares: 1, secret_threshold: 1 }) })
  .then(async (r) => ({ status: r.status, body: await r.text() }), (e) => ({ status: 0, body: String(e) }));
</script>`;

test('a page on a name rebound to 127.0.0.1 cannot initialize a fresh server; the same page on localhost can', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sealtrail-rebind-'));
  const configPath = join(dir, 'sealtrail.hcl');
  writeFileSync(configPath, `listener "tcp" {\n  address = "127.0.0.1:0"\n  tls_disable = true\n}\nstorage "sqlite" {\n  path = "${join(dir, 'sealtrail.db')}"\n}\nlog_level = "error"\n`);
  const server = await runServer({ configPath, handleSignals: false, out: () => {} });
  const port = new URL(server.address).port;
  const browser = await launchChromium([`--host-resolver-rules=MAP ${ATTACKER_HOST} 127.0.0.1`, WITHOUT_LOCAL_NETWORK_CHECKS]);
  try {
    const attack = async (host: string) => {
      const page = await browser.newPage();
      const url = `http://${host}:${port}/attack.html`;
      // The page's bytes, as the attacker's server sent them before its DNS answer changed.
      await page.route(url, (route) => route.fulfill({ status: 200, contentType: 'text/html', body: ATTACK_PAGE }));
      await page.goto(url);
      const result = await page.evaluate(() => (window as unknown as { result: Promise<{ status: number; body: string }> }).result);
      await page.close();
      return result;
    };

    const rebound = await attack(ATTACKER_HOST);
    assert.equal(rebound.status, 403, rebound.body);
    assert.deepEqual(JSON.parse(rebound.body), { errors: ['a browser must address this server by an IP address, localhost, its host name or the host of api_addr'] });
    assert.doesNotMatch(rebound.body, /root_token/);
    assert.equal((await call(server.address, 'GET', 'sys/init')).json.initialized, false);

    // The control: the same page where the server really is acts (and reads the keys).
    const local = await attack('localhost');
    assert.equal(local.status, 200, local.body);
    assert.ok(JSON.parse(local.body).root_token);
    assert.equal((await call(server.address, 'GET', 'sys/init')).json.initialized, true);
  } finally {
    await browser.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
