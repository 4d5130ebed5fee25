/**
 * validate-logs over a trail directory: find the digest chain (one trail, or the one named),
 * then walk and verify it. See validate-logs.ts for the walk and report.ts for the output.
 */
import { stat } from 'node:fs/promises';
import { invalid } from '../../errors/index.js';
import { findDigestChains, localObjects } from './local-objects.js';
import type { PublicKeysByFingerprint } from './public-keys.js';
import type { ReportSink } from './report.js';
import { validateLogs, type ValidateLogsResult } from './validate-logs.js';

export { keysFromPath, keysFromPem, keysFromPublicKeyList, type PublicKeysByFingerprint } from './public-keys.js';
export { findDigestChains, localObjects, type DigestChainLocation, type ObjectReader } from './local-objects.js';
export { validateLogs, type ValidateLogsOptions, type ValidateLogsResult } from './validate-logs.js';

export interface ValidateDirectoryOptions extends ReportSink {
  /** The trail's directory: it holds `<bucket>/<key>` objects. */
  dir: string;
  trailName?: string;
  publicKeys: PublicKeysByFingerprint;
  startMs: number;
  endMs: number;
  verbose: boolean;
}

/** Refuses a directory that does not exist or is a file: a mistyped --dir would otherwise read as a trail that delivered nothing. */
export async function assertTrailDirectory(dir: string): Promise<void> {
  const info = await stat(dir).catch(() => undefined);
  if (!info) throw invalid(`trail directory "${dir}" does not exist`, 'trail_dir_missing');
  if (!info.isDirectory()) throw invalid(`"${dir}" is not a directory (--dir takes the trail's directory, holding <bucket>/AWSLogs/...)`, 'trail_dir_missing');
}

export async function validateTrailDirectory(opts: ValidateDirectoryOptions): Promise<ValidateLogsResult> {
  if (opts.startMs > opts.endMs) throw invalid('Invalid time range specified: start-time must occur before end-time', 'trail_invalid_time_range');
  await assertTrailDirectory(opts.dir);
  const chains = (await findDigestChains(opts.dir)).filter((c) => opts.trailName === undefined || c.trailName === opts.trailName);
  if (chains.length > 1) {
    throw invalid(`digest files of several trails found in ${opts.dir} (${chains.map((c) => c.trailName).join(', ')}): choose one with --trail-name`, 'trail_ambiguous');
  }
  const chain = chains[0] ?? { bucket: '', prefix: '', accountId: '', region: '', trailName: opts.trailName ?? '', keys: [] };
  return validateLogs({ ...opts, objects: localObjects(opts.dir), chain });
}
