/**
 * The CloudTrail promise under SIGKILL: a server killed under KMS load leaves, after its next
 * start, every call the client saw acknowledged with its event exactly once (LookupEvents).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateKeyCommand, EncryptCommand, KMSClient } from '@aws-sdk/client-kms';
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { eventsByRequestId } from '../helpers/cloudtrail-events.js';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js';

const REGION = 'us-east-1';

test('SIGKILL under KMS load: every acknowledged call has its CloudTrail event after the restart, exactly once', { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sealtrail-kms-kill-'));
  let server: ServerProcess | undefined;
  const clients: Array<{ destroy(): void }> = [];
  try {
    server = await startServerProcess(dir);
    const kms = new KMSClient({ endpoint: server.base, region: REGION, credentials: server.awsCredentials, maxAttempts: 1 });
    clients.push(kms);
    const keyId = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
    const acknowledged: string[] = [];
    let stop = false;
    const worker = async (w: number) => {
      for (let i = 0; !stop && i < 5000; i++) {
        try {
          const out = await kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from(`load-${w}-${i}`) }));
          acknowledged.push(out.$metadata.requestId!);
        } catch {
          return; // the server is gone
        }
      }
    };
    const workers = Array.from({ length: 8 }, (_, w) => worker(w));
    while (acknowledged.length < 300) await new Promise((resolve) => setTimeout(resolve, 20));
    server.process.kill('SIGKILL');
    await server.exited;
    stop = true;
    await Promise.all(workers);

    server = await startServerProcess(dir);
    const trail = new CloudTrailClient({ endpoint: server.base, region: REGION, credentials: server.awsCredentials, maxAttempts: 1 });
    clients.push(trail);
    const seen = await eventsByRequestId(trail, 'Encrypt');
    for (const id of acknowledged) assert.equal(seen.get(id), 1, `the event of acknowledged call ${id}`);
    for (const [id, n] of seen) assert.equal(n, 1, `call ${id} has one event`);
  } finally {
    for (const c of clients) c.destroy();
    if (server && server.process.exitCode === null && server.process.signalCode === null) server.process.kill('SIGKILL');
    await server?.exited;
    rmSync(dir, { recursive: true, force: true });
  }
});
