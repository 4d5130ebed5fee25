/**
 * KMS throughput through the official AWS SDK (SigV4 signing and verification, the AWS edge, the
 * audited lifecycle, key policy, trail event) against the bare AES-256-GCM cost of the same
 * operation measured in the same run — the ratio is what the server path costs on top of the crypto.
 *
 *   node --import tsx -e "import('./bench/kms.ts').then(m => m.benchKms({ duration: 5 })).then(r => console.log(r.table))"
 *
 * With `endpoint`/`accessKeyId`/`secretAccessKey` it drives a running server; without, it boots
 * the test harness (in-memory storage, file audit device, in-memory trail recorder) on port 0.
 */
import { DecryptCommand, EncryptCommand, GenerateDataKeyCommand, KMSClient, CreateKeyCommand } from '@aws-sdk/client-kms';
import { newMaterial, openBlob, parseBlob, randomData, sealBlob } from '../src/kms/crypto/aead.js';
import { startKmsServer } from '../test/server/aws/harness.js';

export interface KmsBenchOptions {
  /** Seconds per operation. */
  duration: number;
  endpoint?: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  region?: string;
  /** Requests in flight (default 16). */
  concurrency?: number;
}

export interface KmsBenchRow {
  operation: string;
  sdkCallsPerSecond: number;
  bareCryptoPerSecond: number;
}

export interface KmsBenchResult {
  rows: KmsBenchRow[];
  table: string;
}

async function loop(durationMs: number, concurrency: number, once: () => Promise<unknown>): Promise<number> {
  const end = performance.now() + durationMs;
  let count = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (performance.now() < end) {
      await once();
      count++;
    }
  }));
  return count / (durationMs / 1000);
}

function bare(durationMs: number, once: () => void): number {
  const end = performance.now() + durationMs;
  let count = 0;
  while (performance.now() < end) {
    for (let i = 0; i < 100; i++) once();
    count += 100;
  }
  return count / (durationMs / 1000);
}

export async function benchKms(opts: KmsBenchOptions): Promise<KmsBenchResult> {
  const harness = opts.endpoint ? undefined : await startKmsServer();
  const endpoint = opts.endpoint ?? harness!.endpoint;
  const credentials = { accessKeyId: opts.accessKeyId ?? harness!.accessKeyId, secretAccessKey: opts.secretAccessKey ?? harness!.secretAccessKey };
  const kms = new KMSClient({ endpoint, region: opts.region ?? 'us-east-1', credentials, maxAttempts: 1 });
  const ms = opts.duration * 1000;
  const concurrency = opts.concurrency ?? 16;
  try {
    const keyId = (await kms.send(new CreateKeyCommand({ Description: 'bench' }))).KeyMetadata!.KeyId!;
    const plaintext = randomData(32);
    const context = { bench: 'kms' };
    const blob = (await kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: plaintext, EncryptionContext: context }))).CiphertextBlob!;

    const material = newMaterial();
    const localBlob = sealBlob({ keyId, materialVersion: 1, material, plaintext, context });
    const parts = parseBlob(localBlob)!;

    const rows: KmsBenchRow[] = [
      {
        operation: 'Encrypt (32 B)',
        sdkCallsPerSecond: await loop(ms, concurrency, () => kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: plaintext, EncryptionContext: context }))),
        bareCryptoPerSecond: bare(ms, () => sealBlob({ keyId, materialVersion: 1, material, plaintext, context })),
      },
      {
        operation: 'Decrypt (32 B)',
        sdkCallsPerSecond: await loop(ms, concurrency, () => kms.send(new DecryptCommand({ CiphertextBlob: blob, EncryptionContext: context }))),
        bareCryptoPerSecond: bare(ms, () => openBlob(parts, material, context)),
      },
      {
        operation: 'GenerateDataKey (AES_256)',
        sdkCallsPerSecond: await loop(ms, concurrency, () => kms.send(new GenerateDataKeyCommand({ KeyId: keyId, KeySpec: 'AES_256' }))),
        bareCryptoPerSecond: bare(ms, () => sealBlob({ keyId, materialVersion: 1, material, plaintext: randomData(32) })),
      },
    ];
    const table = [
      `| operation | SDK calls/s (${concurrency} in flight) | bare AES-256-GCM ops/s | crypto share of a call |`,
      '|---|---:|---:|---:|',
      ...rows.map((r) => `| ${r.operation} | ${r.sdkCallsPerSecond.toFixed(0)} | ${r.bareCryptoPerSecond.toFixed(0)} | ${((r.sdkCallsPerSecond / r.bareCryptoPerSecond) * 100).toFixed(2)}% |`),
    ].join('\n');
    return { rows, table };
  } finally {
    kms.destroy();
    await harness?.stop();
  }
}
