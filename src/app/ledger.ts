/**
 * The ledger's place in the server. The journal's indexer thread appends every record to the log
 * and writes its files (journal/ledger/), then says the new size and root; this thread signs a
 * checkpoint of them with the ledger key — kept in the barrier, held here only while unsealed — at
 * most once per `checkpoint_interval` while the log grows, and once more when sealing or shutting
 * down. Each checkpoint is written to `<ledger dir>/checkpoint` and kept in memory for the routes.
 * A checkpoint never names a size whose files are not written (the thread says a size only after
 * writing them), and never a tree that does not extend the last one signed: before signing, a
 * consistency proof read from the log's own tiles must show the new head extends it. The last
 * checkpoint signed is also kept in the barrier (`LedgerWitness`), so that whoever can write the
 * ledger's files but not the barrier cannot make the server forget it — by deleting or rolling
 * back the checkpoint file and rebuilding the log from a rewritten journal — and sign the
 * rewritten history with the real key.
 */
import { mkdir } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { replaceFile } from '../lib/atomic-file.js';
import { journalPath, type ServerConfig } from '../config/index.js';
import {
  CHECKPOINT_PATH, consistencyProofFromTiles, ed25519PrivateKeyFromSeed, formatVerifierKey, noteSigner, noteVerifier, openCheckpoint,
  signCheckpoint, verifyConsistency, type NoteSigner,
} from '../ledger/index.js';
import { prunePartials, readLedgerFile } from '../journal/index.js';

/**
 * Where the ledger's files are kept: a directory (`<data dir>/ledger`, written by the SQLite
 * journal's indexer thread) or the journal's PostgreSQL database (journal/postgres/).
 */
export interface LedgerFileStore {
  /** The directory, when the files are on this node's disk. */
  readonly dir?: string;
  read(path: string): Promise<Buffer | undefined>;
  readCheckpoint(): Promise<string | undefined>;
  writeCheckpoint(note: string): Promise<void>;
  prunePartials(size: number, keep?: number): Promise<void>;
}

export interface SignedCheckpoint {
  /** The signed note, as served and written to the checkpoint file. */
  readonly note: string;
  readonly size: number;
  readonly root: Buffer;
}

export interface LedgerLog {
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

/** Where the last checkpoint signed is kept out of reach of the ledger's files: the barrier. */
export interface LedgerWitness {
  /** The last checkpoint signed (its note), or undefined before the first. */
  read(): Promise<string | undefined>;
  write(note: string): Promise<void>;
}

export interface Ledger {
  /** The ledger's directory, when its files are on this node's disk. */
  readonly dir?: string;
  readonly origin: string;
  /** Checkpoints, tiles and proofs are served without a token. */
  readonly publicReads: boolean;
  /** From the indexer thread: the log's files hold `size` entries with this root. */
  grown(size: number, root: Uint8Array): void;
  /**
   * Forgets the head until the indexer reports it again: an HA node taking over knew the log as it
   * was when it stood by, which the last checkpoint (another node's) has passed — judged against
   * it, that stale head would read as a log rewritten behind its checkpoint.
   */
  forgetHead(): void;
  /**
   * The ledger key's 32-byte seed, from the barrier, and the barrier's record of the last
   * checkpoint signed: checkpoints can be signed from now on.
   */
  unsealed(seed: Uint8Array, witness?: LedgerWitness): Promise<void>;
  /** Signs what is not yet signed, then lets go of the key. */
  sealed(): Promise<void>;
  /** The latest signed checkpoint. */
  current(): SignedCheckpoint | undefined;
  /** The log's verifier key (known while unsealed, or once a key was held). */
  verifierKey(): string | undefined;
  /** A log file by its canonical path, or undefined when it is not there. */
  read(path: string): Promise<Buffer | undefined>;
}

/**
 * Where the ledger's files live: `ledger/` beside the journal database (none for an in-memory
 * journal, nor for a journal on PostgreSQL: its ledger is in the same database).
 */
export function ledgerDirectory(config: ServerConfig): string | undefined {
  if (!config.journal.enabled || !config.ledger.enabled || config.journal.storage === 'postgresql') return undefined;
  const path = journalPath(config);
  return path === ':memory:' ? undefined : join(dirname(path), 'ledger');
}

/**
 * The log's name in its checkpoints and verifier key. A ledger on PostgreSQL is one log for every
 * node that may sign it, so its default must not name the node: the cluster's name instead.
 */
export function ledgerOrigin(config: ServerConfig): string {
  if (config.ledger.origin !== undefined) return config.ledger.origin;
  // Signed notes forbid spaces, controls and "+" in an origin (config/load.ts checks a given one).
  const cluster = config.clusterName.replace(/[\s\p{Cc}+]/gu, '-');
  return config.journal.storage === 'postgresql' ? `${cluster}/sealtrail` : `${hostname()}/sealtrail`;
}

/** Writes a file whole: a temporary file renamed over the name (synced first when asked). */
async function writeAtomically(path: string, text: string, fsync: boolean): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  await replaceFile(path, text, 0o600, fsync);
}

/** The ledger's files in a directory. */
export function ledgerDirectoryStore(dir: string, fsync: boolean): LedgerFileStore {
  const checkpointFile = join(dir, CHECKPOINT_PATH);
  return {
    dir,
    read: (path) => readLedgerFile(dir, path),
    readCheckpoint: () => readLedgerFile(dir, CHECKPOINT_PATH).then((note) => note?.toString('utf8'), () => undefined),
    writeCheckpoint: (note) => writeAtomically(checkpointFile, note, fsync),
    prunePartials: (size, keep) => prunePartials(dir, size, keep),
  };
}

/** Whether a head extends the last checkpoint; `unknown` when the files to tell were not readable. */
type Extension = 'extends' | 'diverged' | 'unknown';

/**
 * `where`: the ledger's directory, or another store of its files. `onDiverged` is told when the
 * log stops extending its last checkpoint (no checkpoint is signed) and when it does again.
 */
export function createLedger(config: ServerConfig, where: string | LedgerFileStore, log: LedgerLog, onDiverged?: (diverged: boolean) => void): Ledger {
  const files = typeof where === 'string' ? ledgerDirectoryStore(where, config.journal.fsync) : where;
  const origin = ledgerOrigin(config);
  const intervalMs = config.ledger.checkpointIntervalMs;
  let head: { size: number; root: Buffer } | undefined;
  let signer: NoteSigner | undefined;
  let verifierKey: string | undefined;
  let latest: SignedCheckpoint | undefined;
  let lastSignedAt = -Infinity;
  let timer: NodeJS.Timeout | undefined;
  let publishing: Promise<void> = Promise.resolve();
  let witness: LedgerWitness | undefined;
  /** The last write to the barrier failed: said once, until one succeeds. */
  let witnessFailing = false;
  let diverged = false;
  /** Set while a consistency proof is read from the tiles: pruning waits, so none it reads goes. */
  let verifying: Promise<unknown> | undefined;

  /** The log no longer extends its last checkpoint: said once, and nothing is signed until it does. */
  const divergedFrom = (size: number) => {
    if (diverged) return;
    diverged = true;
    log.error({ size, checkpointSize: latest?.size }, 'the ledger on disk does not extend its last checkpoint; no checkpoint is signed until it does');
    onDiverged?.(true);
  };

  /** A checkpoint of the head is due: it grew past the latest one (a smaller or equal-sized other head diverged). */
  const due = (): boolean => {
    if (!head || !signer) return false;
    if (!latest || head.size > latest.size) return true;
    if (head.size !== latest.size || !head.root.equals(latest.root)) divergedFrom(head.size);
    return false;
  };

  /** Whether the tree of `size` with `root` extends the latest checkpoint, by a consistency proof from the log's tiles. */
  const extension = async (size: number, root: Buffer): Promise<Extension> => {
    if (!latest) return 'extends';
    const from = latest;
    const proving = (async (): Promise<Extension> => {
      let proof: Buffer[];
      try {
        proof = await consistencyProofFromTiles(async (path) => {
          const data = await files.read(path);
          if (!data) throw new Error(`${path} is missing`);
          return data;
        }, from.size, size);
      } catch (err) {
        log.warn({ size, err: err instanceof Error ? err.message : String(err) }, 'the ledger tiles could not be read to prove the log extends its last checkpoint; tried again after the checkpoint interval');
        return 'unknown';
      }
      try {
        verifyConsistency(from.size, size, proof, from.root, root);
        return 'extends';
      } catch {
        return 'diverged';
      }
    })();
    verifying = proving;
    try {
      return await proving;
    } finally {
      if (verifying === proving) verifying = undefined;
    }
  };

  const publish = (): Promise<void> => {
    publishing = publishing.then(async () => {
      if (!due()) return;
      const { size, root } = head!;
      const verdict = await extension(size, root);
      if (verdict === 'diverged') divergedFrom(size);
      // Tiles not readable now (a disk error): tried again after an interval, even if nothing new comes.
      if (verdict === 'unknown') retryLater();
      if (verdict !== 'extends' || !signer) return;
      const note = signCheckpoint({ origin, size, root, extensions: [] }, signer);
      // Kept in the barrier before it is served: a checkpoint anyone has seen is never forgotten.
      // A barrier that cannot write (its disk full): tried again after an interval, even if nothing new comes.
      try {
        await witness?.write(note);
        witnessFailing = false;
      } catch (err) {
        if (!witnessFailing) log.warn({ err: err instanceof Error ? err.message : String(err) }, 'the ledger checkpoint could not be kept in the barrier; it is signed again later');
        witnessFailing = true;
        retryLater();
        return;
      }
      lastSignedAt = performance.now();
      latest = { note, size, root };
      if (diverged) {
        diverged = false;
        onDiverged?.(false);
      }
      try {
        await files.writeCheckpoint(note);
      } catch (err) {
        log.warn({ code: (err as NodeJS.ErrnoException).code }, 'the ledger checkpoint file could not be written; the server serves it from memory');
        return;
      }
      prune();
    }).catch((err: unknown) => log.error({ err: err instanceof Error ? err.message : String(err) }, 'the ledger checkpoint could not be signed'));
    return publishing;
  };

  /**
   * The partial tiles the log has outgrown, but the checkpoint's own, are removed as it grows
   * (prunePartials): one pass at a time, and one more if the log grew meanwhile.
   */
  let pruning = false;
  let pruneAgain = false;
  const prune = () => {
    if (pruning || !head) {
      pruneAgain = pruning;
      return;
    }
    pruning = true;
    void (async () => {
      do {
        pruneAgain = false;
        while (verifying) await verifying;
        await files.prunePartials(head.size, latest?.size).catch((err: NodeJS.ErrnoException) => log.warn({ code: err.code }, 'the ledger could not remove outgrown partial tiles'));
      } while (pruneAgain);
      pruning = false;
    })();
  };

  const retryLater = () => {
    if (timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      void publish();
    }, intervalMs);
    timer.unref();
  };

  const schedule = () => {
    if (timer || !due()) return;
    const wait = Math.max(0, lastSignedAt + intervalMs - performance.now());
    timer = setTimeout(() => {
      timer = undefined;
      void publish();
    }, wait);
    timer.unref();
  };

  /** A checkpoint this key signed, or undefined. */
  const opened = (text: string | undefined, key: NoteSigner): SignedCheckpoint | undefined => {
    if (text === undefined) return undefined;
    try {
      const { checkpoint } = openCheckpoint(text, noteVerifier(key.name, key.privateKey));
      return { note: text, size: checkpoint.size, root: checkpoint.root };
    } catch {
      return undefined;
    }
  };

  /**
   * The last checkpoint this key signed: the larger of the barrier's record and the checkpoint
   * file (the file may be ahead of the barrier after a crash between the two writes, or behind it,
   * or gone, if someone rolled it back). The tree must go on from it.
   */
  const loadPublished = async (key: NoteSigner): Promise<void> => {
    const text = await files.readCheckpoint();
    const inFile = opened(text, key);
    const kept = opened(await witness?.read(), key);
    if (text !== undefined && !inFile) log.warn({}, 'the ledger checkpoint file is not signed by the ledger key under this origin; a new one replaces it');
    if (kept && (!inFile || inFile.size < kept.size || (inFile.size === kept.size && !inFile.root.equals(kept.root)))) {
      log.warn({ fileSize: inFile?.size, size: kept.size }, 'the ledger checkpoint file is missing or behind the last checkpoint signed; the server goes on from the one the barrier kept');
      // Written back, so that a verifier reading the files checks them against it.
      await files.writeCheckpoint(kept.note).catch((err: NodeJS.ErrnoException) => log.warn({ code: err.code }, 'the ledger checkpoint file could not be written; the server serves it from memory'));
    }
    for (const found of [kept, inFile]) {
      if (found && (!latest || found.size > latest.size)) latest = found;
    }
  };

  return {
    dir: files.dir,
    origin,
    publicReads: config.ledger.public,
    grown(size, root) {
      head = { size, root: Buffer.from(root) };
      schedule();
      // Only once a key has published (or loaded) a checkpoint: until then, which one a static
      // copy will need is not known.
      if (latest) prune();
    },
    forgetHead() {
      head = undefined;
    },
    async unsealed(seed, kept) {
      witness = kept;
      let key: NoteSigner;
      try {
        key = noteSigner(origin, ed25519PrivateKeyFromSeed(seed));
      } catch (err) {
        // Never in the way of unsealing: the server runs, without checkpoints, and says why.
        log.error({ origin, err: err instanceof Error ? err.message : String(err) }, 'the ledger key cannot sign under this origin; no checkpoints are signed');
        return;
      }
      verifierKey = formatVerifierKey(noteVerifier(origin, key.privateKey));
      await loadPublished(key);
      signer = key;
      schedule();
    },
    async sealed() {
      clearTimeout(timer);
      timer = undefined;
      await publish();
      signer = undefined;
    },
    current: () => latest,
    verifierKey: () => verifierKey,
    read: (path) => files.read(path),
  };
}
