/**
 * The trails declared in the configuration: one writer each with its destination (directory or
 * S3, chosen here), delivery and digest timers (unref'd, so they never hold the process open),
 * `deliverNow` for sys/trails/<name>/deliver, and the digest signing keys' public half for
 * ListPublicKeys. A failed timer delivery is retried by the next tick; what it could not store
 * stays pending in its writer.
 */
import { notFound, SealtrailError } from '../../errors/index.js';
import type { Clock } from '../../lib/clock.js';
import type { Storage } from '../../storage/index.js';
import { createSigningKeys, type PublicKeyInfo } from '../keys/signing-keys.js';
import type { EventStore } from '../store/types.js';
import { deliveryErrorCode } from './delivery-error.js';
import type { DeliveryDestination } from './destination.js';
import { destinationFor } from './destinations.js';
import type { LedgerHead } from './ledger-checkpoint.js';
import { createTrailWriter, type DeliveryHealthEvent, type DeliveryResult, type TrailConfig, type TrailStatus, type TrailWriter } from './trail-writer.js';

export const DEFAULT_DELIVERY_INTERVAL_MS = 5 * 60_000;
export const DEFAULT_DIGEST_INTERVAL_MS = 3600_000;

export interface TrailSummary {
  name: string;
  arn: string;
  destination: 'directory' | 's3';
  /** The directory, for a directory trail. */
  directory?: string;
  /** For an S3 trail: its endpoint (when it names one), region and addressing style. */
  endpoint?: string;
  s3Region?: string;
  forcePathStyle?: boolean;
  bucket: string;
  prefix: string;
  deliveryIntervalMs: number;
  digestIntervalMs: number;
}

export interface TrailManager {
  list(): TrailSummary[];
  get(name: string): TrailSummary | undefined;
  /** Delivers the trail's pending events and writes a digest now. */
  deliverNow(name: string): Promise<DeliveryResult>;
  publicKeys(startMs?: number, endMs?: number): Promise<PublicKeyInfo[]>;
  /** Delivery status for GetTrailStatus; logging means the delivery timers are running. */
  status(name: string): Promise<TrailStatus & { isLogging: boolean }>;
  /** Creates missing trail state and starts the timers. */
  start(): Promise<void>;
  /** Stops the timers and waits for a delivery in progress. */
  stop(): Promise<void>;
}

/** How long stopping waits for a delivery under way. */
export const STOP_WAIT_MS = 10_000;

export interface TrailManagerDeps {
  trails: TrailConfig[];
  accountId: string;
  region: string;
  store: () => EventStore;
  /** Encrypted storage (a barrier view) for the signing keys and trail state. */
  storage: Storage;
  clock: Clock;
  /** Told once when a trail's deliveries start failing and once when they recover. */
  onHealth?: (event: DeliveryHealthEvent) => void;
  /** The destination of each trail; default: its directory or S3 bucket (destinations.ts). */
  destination?: (config: TrailConfig) => DeliveryDestination;
  /** The journal ledger's latest signed checkpoint, named in every digest (ledger-checkpoint.ts). */
  ledgerHead?: () => LedgerHead | undefined;
}

/**
 * The key prefix as objects carry it (`<prefix>/AWSLogs/...`) and DescribeTrails names it: a
 * trailing "/" is dropped, since validators (aws-cli's) add their own before `AWSLogs/`.
 */
const keyPrefix = (c: TrailConfig) => (c.prefix ?? '').replace(/\/+$/, '');

export function createTrailManager(deps: TrailManagerDeps): TrailManager {
  const keys = createSigningKeys({ storage: deps.storage, clock: deps.clock });
  const location = (c: TrailConfig) => ({ accountId: deps.accountId, region: deps.region, prefix: keyPrefix(c) });
  const chooseDestination = deps.destination ?? ((c: TrailConfig) => destinationFor(c, deps.region));
  const writers = new Map<string, TrailWriter>();
  const destinations: DeliveryDestination[] = [];
  for (const config of deps.trails) {
    const destination = chooseDestination(config);
    destinations.push(destination);
    writers.set(config.name, createTrailWriter({ config, location: location(config), destination, store: deps.store, keys, storage: deps.storage, clock: deps.clock, onHealth: deps.onHealth, ledgerHead: deps.ledgerHead }));
  }
  const timers: NodeJS.Timeout[] = [];
  let logging = false;

  const summary = (c: TrailConfig): TrailSummary => ({
    name: c.name,
    arn: `arn:aws:cloudtrail:${deps.region}:${deps.accountId}:trail/${c.name}`,
    destination: c.s3 ? 's3' : 'directory',
    ...(c.directory !== undefined ? { directory: c.directory } : {}),
    ...(c.s3?.endpoint ? { endpoint: c.s3.endpoint } : {}),
    ...(c.s3 ? { s3Region: c.s3.region ?? deps.region, forcePathStyle: c.s3.forcePathStyle } : {}),
    bucket: c.bucket,
    prefix: keyPrefix(c),
    deliveryIntervalMs: c.deliveryIntervalMs ?? DEFAULT_DELIVERY_INTERVAL_MS,
    digestIntervalMs: c.digestIntervalMs ?? DEFAULT_DIGEST_INTERVAL_MS,
  });
  const every = (ms: number, task: () => Promise<unknown>) => {
    // The writer counts and reports failures (once per episode): a failed tick waits for the next.
    // A tick that finds the last one still running is skipped: queued behind a slow store, ticks
    // would pile up for as long as it stays slow.
    let running = false;
    const t = setInterval(() => {
      if (running) return;
      running = true;
      void task().catch(() => undefined).finally(() => { running = false; });
    }, ms);
    t.unref();
    timers.push(t);
  };

  return {
    list: () => deps.trails.map(summary),
    get(name) {
      const c = deps.trails.find((t) => t.name === name);
      return c && summary(c);
    },
    async deliverNow(name) {
      const writer = writers.get(name);
      if (!writer) throw notFound(`no trail named "${name}"`, 'trail_not_found');
      try {
        return await writer.deliverAndDigest();
      } catch (err) {
        // The caller (and the server log) get a code: a store's error can carry request details.
        throw new SealtrailError('unavailable', 'trail_delivery_failed', `trail "${name}" could not deliver (${deliveryErrorCode(err)}); pending files are kept and retried`);
      }
    },
    publicKeys: (startMs, endMs) => keys.publicKeys(startMs, endMs),
    async status(name) {
      const writer = writers.get(name);
      if (!writer) throw notFound(`no trail named "${name}"`, 'trail_not_found');
      return { ...(await writer.status()), isLogging: logging };
    },
    async start() {
      if (writers.size > 0) await keys.active();
      for (const writer of writers.values()) {
        await writer.init();
        const s = summary(writer.config);
        every(s.deliveryIntervalMs, () => writer.deliverLogs());
        every(s.digestIntervalMs, () => writer.deliverAndDigest());
      }
      logging = true;
    },
    async stop() {
      logging = false;
      for (const t of timers.splice(0)) clearInterval(t);
      // A delivery under way is waited for, at most STOP_WAIT_MS: then its store's connections
      // are closed. What it had not delivered is still pending, and the next start delivers it.
      let waited: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        Promise.all([...writers.values()].map((w) => w.idle())),
        new Promise((resolve) => { waited = setTimeout(resolve, STOP_WAIT_MS); }),
      ]);
      clearTimeout(waited);
      for (const d of destinations) d.close();
    },
  };
}
