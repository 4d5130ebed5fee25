/**
 * `sealtrail ledger verify` checks each journal record's index columns against its ledgered text.
 * Every kind of live record is made on the real dev server (Vault entries of a token with an
 * accessor, a refused request, KMS calls through the AWS SDK with a Recipient, a capsule
 * encapsulated and loaded, an attestation login): the untouched journal verifies OK, over HTTP and
 * from the file; then each column a search goes by, changed on a copy of the stopped server's
 * journal, is named with its record.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { CreateKeyCommand, DecryptCommand, EncryptCommand, GenerateDataKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { createDevEnclave, loadDevCaFromDir } from '../../src/attestation/index.js';
import { SealtrailClient, apmLogin } from '../../src/sdk/index.js';
import { encapsulate } from '../../src/sdk/capsule.js';
import { systemClock } from '../../src/lib/clock.js';
import { runIn } from '../cli/harness.js';
import { call, startDevServer, type TestServer } from '../helpers/server.js';

const SIGNER = '5d'.repeat(48);
const IMAGE = 'a9'.repeat(48);
const env = (s: TestServer) => ({ VAULT_ADDR: s.address, VAULT_TOKEN: s.rootToken });

/** Makes one record of every kind the server writes, and a few of each Vault shape. */
async function everyKind(s: TestServer): Promise<void> {
  const root = new SealtrailClient({ address: s.address, token: s.rootToken });
  await root.kv('secret').put('app/db', { password: 'columns-test' });
  await root.write('sys/policies/acl/app', {
    policy: 'path "secret/data/app/*" { capabilities = ["read"] }\npath "capsule/load" { capabilities = ["update"] }',
  });
  const created = await call(s.address, 'POST', 'auth/token/create', { token: s.rootToken, body: { policies: ['app'] } });
  assert.equal(created.status, 200, created.text);
  const appToken = created.json.auth.client_token as string;
  assert.equal((await call(s.address, 'GET', 'secret/data/app/db', { token: appToken })).status, 200);
  assert.equal((await call(s.address, 'GET', 'secret/data/app/missing', { token: appToken })).status, 404);
  assert.equal((await call(s.address, 'POST', 'secret/data/app/db', { token: appToken, body: { data: { x: 1 } } })).status, 403);
  assert.equal((await call(s.address, 'GET', 'secret/data/app/db', { token: 'not-a-token' })).status, 403);

  const ca = await loadDevCaFromDir(join(s.dir, 'dev-ca'));
  const enclave = createDevEnclave({ ca, clock: systemClock, pcrs: { 0: IMAGE, 8: SIGNER } });
  await root.write('auth/apm/role/app', { platform: 'nitro', signer_id: SIGNER, token_policies: 'app' });
  const login = await apmLogin(new SealtrailClient({ address: s.address, token: '' }), {
    platform: 'nitro', attest: (challenge) => enclave.attest({ nonce: challenge }),
  });

  const kms = new KMSClient({ endpoint: s.address, region: 'us-east-1', credentials: s.awsCredentials, maxAttempts: 1 });
  try {
    const key = await kms.send(new CreateKeyCommand({}));
    const keyId = key.KeyMetadata!.KeyId!;
    await kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('hello') }));
    await assert.rejects(kms.send(new EncryptCommand({ KeyId: 'alias/none', Plaintext: Buffer.from('x') })));
    const dataKey = await kms.send(new GenerateDataKeyCommand({ KeyId: keyId, KeySpec: 'AES_256' }));
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const recipient = { AttestationDocument: enclave.attest({ publicKey: publicKey.export({ type: 'spki', format: 'der' }) }), KeyEncryptionAlgorithm: 'RSAES_OAEP_SHA_256' as const };
    await kms.send(new DecryptCommand({ CiphertextBlob: dataKey.CiphertextBlob, Recipient: recipient }));
  } finally {
    kms.destroy();
  }

  const capsule = await encapsulate(root, 'for the enclave', { writeContext: 'default' });
  const loaded = await call(s.address, 'POST', 'capsule/load', { token: login.token, body: { capsule: capsule.capsule, read_context: 'default' } });
  assert.equal(loaded.status, 200, loaded.text);
  const refused = await call(s.address, 'POST', 'capsule/load', { token: login.token, body: { capsule: capsule.capsule, read_context: 'nope' } });
  assert.ok(refused.status >= 400, refused.text);
}

test('ledger verify: an untouched journal of every record kind is OK; each changed index column is named', { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sealtrail-ledger-columns-'));
  let s: TestServer | undefined;
  try {
    s = await startDevServer({ devDataDir: dir });
    await everyKind(s);
    const newest = await call(s.address, 'GET', 'sys/journal/records?order=desc&limit=1', { token: s.rootToken });
    const lastSeq = newest.json.data.records[0].seq as number;
    // prove waits for a checkpoint that covers the record: the log then holds every record made above.
    const proved = await runIn(['ledger', 'prove', String(lastSeq)], { env: env(s) });
    assert.equal(proved.code, 0, proved.stderr);
    const key = await runIn(['ledger', 'key'], { env: env(s) });
    const vkey = key.stdout.trim();

    const overHttp = await runIn(['ledger', 'verify', '--url', s.address, '--key', vkey], { env: env(s) });
    assert.equal(overHttp.stderr, '');
    assert.equal(overHttp.code, 0);
    const checked = Number(/; (\d+) journal records match their entries/.exec(overHttp.stdout)?.[1]);
    assert.ok(checked > lastSeq, overHttp.stdout);
    await s.stop();
    s = undefined;

    const journal = join(dir, 'journal.db');
    const verifyFile = (file: string) => runIn(['ledger', 'verify', '--dir', join(dir, 'ledger'), '--key', vkey, '--journal', file]);
    const untouched = await verifyFile(journal);
    assert.equal(untouched.stderr, '');
    assert.equal(untouched.code, 0);

    const db = new Database(journal, { readonly: true });
    const kinds = db.prepare('SELECT DISTINCT kind FROM records WHERE seq < ? ORDER BY kind').pluck().all(checked) as string[];
    assert.deepEqual(kinds, ['attestation', 'capsule-access', 'capsule-control', 'cloudtrail', 'server', 'vault-request', 'vault-response']);
    const seqOf = (where: string) => {
      const seq = db.prepare(`SELECT seq FROM records WHERE seq < ? AND ${where} ORDER BY seq LIMIT 1`).pluck().get(checked) as number | undefined;
      assert.ok(seq !== undefined, where);
      return seq;
    };
    const appRead = seqOf("kind = 'vault-response' AND path = 'secret/data/app/db' AND operation = 'read' AND outcome = 'success'");
    const appReadRequest = seqOf("kind = 'vault-request' AND path = 'secret/data/app/db' AND operation = 'read' AND outcome = 'success'");
    const denied = seqOf("kind = 'vault-response' AND outcome = 'failure' AND path = 'secret/data/app/db' AND operation = 'update'");
    const otherRequest = db.prepare('SELECT request_id FROM records WHERE seq = ?').pluck().get(denied) as string;
    const rootAccessor = db.prepare('SELECT accessor FROM records WHERE seq = ?').pluck().get(seqOf("kind = 'vault-response' AND path = 'sys/policies/acl/app'")) as string;
    const event = seqOf("kind = 'cloudtrail' AND operation = 'Encrypt' AND outcome = 'success'");
    const access = seqOf("kind = 'capsule-access' AND capsule IS NOT NULL");
    const attested = seqOf("kind = 'attestation' AND entity_id IS NOT NULL");
    db.close();

    const day = 86_400_000_000_000n;
    const forgeries: { seq: number; set: string; args: unknown[]; column: string }[] = [
      // The reviewer's: moved to another request and path, and marked failed.
      { seq: appRead, set: "request_id = ?, path = 'secret/data/k1-99', outcome = 'failure'", args: [otherRequest], column: 'request_id' },
      { seq: appRead, set: "path = 'secret/data/k1-99'", args: [], column: 'path' },
      { seq: appReadRequest, set: "outcome = 'failure'", args: [], column: 'outcome' },
      { seq: denied, set: "outcome = 'success'", args: [], column: 'outcome' },
      { seq: appRead, set: "kind = 'cloudtrail'", args: [], column: 'kind' },
      { seq: appRead, set: 'time_ns = time_ns - ?', args: [day], column: 'time_ns' },
      { seq: appRead, set: 'accessor = ?', args: [rootAccessor], column: 'accessor' },
      { seq: event, set: 'request_id = ?', args: [otherRequest], column: 'request_id' },
      { seq: event, set: 'time_ns = time_ns - ?', args: [day], column: 'time_ns' },
      { seq: event, set: "path = 'secret/data/app/db'", args: [], column: 'path' },
      { seq: access, set: "capsule = 'another-capsule'", args: [], column: 'capsule' },
      { seq: attested, set: "entity_id = 'another-entity'", args: [], column: 'entity_id' },
      { seq: attested, set: "outcome = 'failure'", args: [], column: 'outcome' },
    ];
    for (const f of forgeries) {
      const copy = join(dir, 'forged.db');
      copyFileSync(journal, copy);
      rmSync(`${copy}-wal`, { force: true });
      if (existsSync(`${journal}-wal`)) copyFileSync(`${journal}-wal`, `${copy}-wal`);
      const forged = new Database(copy);
      forged.prepare(`UPDATE records SET ${f.set} WHERE seq = ?`).run(...f.args, f.seq);
      forged.close();
      const found = await verifyFile(copy);
      assert.equal(found.code, 3, `${f.set}: ${found.stdout}`);
      assert.equal(found.stdout, '');
      assert.equal(found.stderr, `FAILED: entry ${f.seq}: the journal's record seq ${f.seq}: its ${f.column} is not what its ledgered text says\n`, f.set);
      rmSync(copy, { force: true });
    }
  } finally {
    await s?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
