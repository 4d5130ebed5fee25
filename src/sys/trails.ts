/**
 * sys/ paths for trails (the lead adds `trails/*` to the root paths so deliver needs sudo):
 *
 *   LIST/GET trails                       → { keys: [names], key_info: { <name>: {...} } }
 *   POST     trails/<name>/deliver        → { log_files: [...], digest_file } (delivers pending
 *                                            events and writes a digest now; digest_file is null
 *                                            while the last digest's second has not passed)
 */
import type { PathSpec } from '../core/index.js';
import { type TrailManager, s3Uri } from '../trail/index.js';
import { setOwn } from '../lib/safe-object.js';

export interface TrailSysDeps {
  trails: () => TrailManager;
}

export function trailSysPaths(deps: TrailSysDeps): PathSpec[] {
  const listing = async () => {
    const trails = deps.trails().list();
    const keyInfo: Record<string, unknown> = {};
    for (const t of trails) {
      setOwn(keyInfo, t.name, {
        arn: t.arn, destination: t.destination, ...(t.directory !== undefined ? { directory: t.directory } : {}),
        ...(t.endpoint ? { endpoint: t.endpoint } : {}),
        ...(t.destination === 's3' ? { region: t.s3Region, force_path_style: t.forcePathStyle } : {}),
        bucket: t.bucket, prefix: t.prefix,
        delivery_interval: Math.round(t.deliveryIntervalMs / 1000), digest_interval: Math.round(t.digestIntervalMs / 1000),
      });
    }
    return { data: { keys: trails.map((t) => t.name), key_info: keyInfo } };
  };
  return [
    { pattern: 'trails/?', handlers: { list: listing, read: listing } },
    {
      pattern: 'trails/(?<name>[^/]+)/deliver',
      handlers: {
        update: async (req) => {
          const trail = deps.trails().get(req.params.name);
          const result = await deps.trails().deliverNow(req.params.name);
          const bucket = trail?.bucket ?? '';
          return {
            data: {
              log_files: result.logFiles.map((k) => s3Uri(bucket, k)),
              digest_file: result.digestFile ? s3Uri(bucket, result.digestFile) : null,
            },
          };
        },
      },
    },
  ];
}
