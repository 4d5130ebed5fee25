/**
 * A real S3-compatible server for tests: s3rver on 127.0.0.1 (port 0), its data in a temporary
 * directory, and an S3 client pointed at it. `stop()` and `restart()` (same port, same data)
 * let a test take the store away mid-run and bring it back.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import AWSAccount from 's3rver/lib/models/account.js';

/** s3rver's own key pair: requests signed with any other are refused. */
export const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

export interface TestS3 {
  url: string;
  client: S3Client;
  /**
   * Accepts signatures made with this key pair too (until close), for a client that signs its
   * S3 requests with the keys it uses elsewhere, as aws-cli does with the dev server's.
   */
  trustKey(accessKeyId: string, secretAccessKey: string): void;
  /** Stops the server; the data stays. */
  stop(): Promise<void>;
  /** Starts it again on the same port with the same data. */
  restart(): Promise<void>;
  /** Stops it and removes its data. */
  close(): Promise<void>;
}

export async function startS3(buckets: string[]): Promise<TestS3> {
  const directory = mkdtempSync(join(tmpdir(), 'sealtrail-s3-'));
  const boot = async (port: number) => {
    const server = new S3rver({ address: '127.0.0.1', port, directory, silent: true, configureBuckets: buckets.map((name) => ({ name })) });
    const info = (await server.run()) as { port: number };
    return { server, port: info.port };
  };
  let running: Awaited<ReturnType<typeof boot>> | undefined = await boot(0);
  const port = running.port;
  const url = `http://127.0.0.1:${port}`;
  const client = new S3Client({ endpoint: url, region: 'us-east-1', forcePathStyle: true, credentials: S3RVER_CREDENTIALS });
  const stop = async () => {
    const current = running;
    running = undefined;
    await current?.server.close();
  };
  const trusted: string[] = [];
  return {
    url,
    client,
    trustKey(accessKeyId, secretAccessKey) {
      AWSAccount.DUMMY_ACCOUNT.createKeyPair(accessKeyId, secretAccessKey);
      trusted.push(accessKeyId);
    },
    stop,
    async restart() {
      if (!running) running = await boot(port);
    },
    async close() {
      for (const id of trusted.splice(0)) AWSAccount.DUMMY_ACCOUNT.revokeAccessKey(id);
      client.destroy();
      await stop();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
