/**
 * sys/ paths for the ledger (the journal as a signed C2SP tiled transparency log):
 *
 *   GET sys/ledger/checkpoint                       → the latest signed checkpoint (text/plain)
 *   GET sys/ledger/tile/<L>/<N>[.p/<W>]             → a hash tile (bytes)
 *   GET sys/ledger/tile/entries/<N>[.p/<W>]         → an entry bundle (bytes)
 *   GET sys/ledger/key                              → { verifier_key, origin } (never needs a token)
 *   GET sys/ledger/proof/inclusion?index=&size=     → { index, size, hashes }
 *   GET sys/ledger/proof/consistency?from=&to=      → { from, to, hashes }
 *
 * Reads need a token with `read` on them unless `ledger { public = true }`. Proofs are computed
 * from the stored tiles, for trees no larger than the latest checkpoint's.
 *
 * An entry bundle is the text of 256 journal records, whoever's they are: reading one also takes
 * what reading every record through the journal takes (`readsEveryRecord`), so a policy that limits
 * a token's journal queries (to an entity, a path) is not undone by a grant on `sys/ledger/*`.
 * Verifying a record needs no bundle: the key, the checkpoint and an inclusion proof.
 *
 * Tiles, bundles and proofs are read from the ledger's files (or its database) and held until
 * sent: each holds one of the journal's reads in flight (journal-read-slots.ts). The key and the
 * checkpoint are in memory and small, and never wait for a slot.
 */
import { invalid, notFound, SealtrailError } from '../errors/index.js';
import type { PathSpec, TokenEntry } from '../core/index.js';
import { heldUntilAnswered, type JournalReadSlots } from './journal-read-slots.js';
import {
  consistencyProofFromTiles, hashesAtLevel, inclusionProofFromTiles, parseLogPath, TILE_WIDTH, type LogFetcher,
} from '../ledger/index.js';

/** What the routes need of the server's ledger (app/ledger.ts). */
export interface LedgerView {
  readonly origin: string;
  readonly publicReads: boolean;
  current(): { note: string; size: number; root: Buffer } | undefined;
  verifierKey(): string | undefined;
  read(path: string): Promise<Buffer | undefined>;
}

/** The paths a token is never asked for; with `public`, every read. */
export function ledgerUnauthenticatedPaths(ledger: LedgerView | undefined): string[] {
  return ledger?.publicReads ? ['ledger/key', 'ledger/checkpoint', 'ledger/tile/*', 'ledger/proof/*'] : ['ledger/key'];
}

/**
 * Settled bytes never change. While reads need a token they are `private`: a shared cache keys on
 * the URL, not on X-Vault-Token, and would hand them to any caller for a year.
 */
const IMMUTABLE_PUBLIC = { 'cache-control': 'public, max-age=31536000, immutable' };
const IMMUTABLE_PRIVATE = { 'cache-control': 'private, max-age=31536000, immutable' };
const NO_CACHE = { 'cache-control': 'no-cache' };

/** A decimal tree size or index: digits only, no leading zero, a safe integer. */
function decimal(data: Record<string, unknown>, name: string): number {
  const text = data[name];
  if (typeof text !== 'string' || !/^(0|[1-9]\d{0,15})$/.test(text) || !Number.isSafeInteger(Number(text))) {
    throw invalid(`"${name}" must be a decimal integer`, 'ledger_invalid_range');
  }
  return Number(text);
}

function onlyParameters(data: Record<string, unknown>, names: readonly string[]): void {
  const unknown = Object.keys(data).filter((k) => !names.includes(k));
  if (unknown.length > 0) throw invalid(`unknown parameter (known: ${names.join(', ')})`, 'ledger_invalid_range');
}

/** A tile or bundle file a proof needs: the tree's own, so its absence is the server's fault. */
const fetcherOf = (ledger: LedgerView): LogFetcher => async (path) => {
  const data = await ledger.read(path);
  if (!data) throw new SealtrailError('internal', 'ledger_file_missing', 'a ledger tile the checkpoint covers is missing');
  return data;
};

/**
 * The journal query that reads every record's text, in the ledger's order (how `ledger verify`
 * reads them): a token whose policies allow it may read every record anyway.
 */
export const EVERY_RECORD_QUERY = { path: 'sys/journal/records', data: { after_seq: '-1', format: 'raw' } } as const;

export interface LedgerSysDeps {
  ledger?: LedgerView;
  /** Whether the token's policies allow EVERY_RECORD_QUERY. */
  readsEveryRecord: (token: TokenEntry) => Promise<boolean>;
  /** Reads in flight, shared with the journal's paths (journal-read-slots.ts). */
  slots: JournalReadSlots;
}

const entriesDenied = () => new SealtrailError('permission', 'ledger_entries_denied',
  'permission denied: an entry bundle holds every journal record\'s text, so reading one also needs read on sys/journal/records without a filter');

export function ledgerSysPaths(deps: LedgerSysDeps): PathSpec[] {
  const ledger = (): LedgerView => {
    if (!deps.ledger) throw notFound('the ledger is off: the server configuration turns it off (ledger { enabled = false }), or the journal it follows (journal { enabled = false }, or a journal kept in memory)', 'ledger_disabled');
    return deps.ledger;
  };
  const checkpoint = (l: LedgerView) => {
    const latest = l.current();
    if (!latest) throw notFound('the ledger has no signed checkpoint yet', 'ledger_no_checkpoint');
    return latest;
  };
  const hashes = (proof: readonly Buffer[]) => proof.map((h) => h.toString('base64'));

  return [
    {
      pattern: 'ledger/checkpoint',
      handlers: {
        read: async () => ({ raw: { contentType: 'text/plain; charset=utf-8', body: checkpoint(ledger()).note, headers: NO_CACHE } }),
      },
    },
    {
      pattern: 'ledger/key',
      handlers: {
        read: async () => {
          const l = ledger();
          const key = l.verifierKey();
          if (!key) throw notFound('the ledger has no key loaded (the server log says why)', 'ledger_no_checkpoint');
          return { data: { verifier_key: key, origin: l.origin } };
        },
      },
    },
    {
      pattern: 'ledger/(?<path>tile/.+)',
      handlers: {
        read: heldUntilAnswered(deps.slots, async (req) => {
          const l = ledger();
          const parsed = parseLogPath(req.params.path);
          if (parsed.kind === 'entries' && !l.publicReads && !(req.token && await deps.readsEveryRecord(req.token))) throw entriesDenied();
          const data = await l.read(req.params.path);
          if (!data) throw notFound('no such ledger tile or entry bundle (yet)', 'ledger_not_found');
          // Bytes under the latest checkpoint never change; a tile past it may still be rewritten.
          const size = l.current()?.size ?? 0;
          const coord = parsed.kind === 'tile' ? parsed.tile : parsed.kind === 'entries' ? { level: 0, ...parsed.bundle } : undefined;
          const settled = coord !== undefined && coord.width === TILE_WIDTH && (coord.index + 1) * TILE_WIDTH <= hashesAtLevel(size, coord.level);
          return { raw: { contentType: 'application/octet-stream', body: data, headers: settled ? (l.publicReads ? IMMUTABLE_PUBLIC : IMMUTABLE_PRIVATE) : NO_CACHE } };
        }),
      },
    },
    {
      pattern: 'ledger/proof/inclusion',
      handlers: {
        read: heldUntilAnswered(deps.slots, async (req) => {
          const l = ledger();
          onlyParameters(req.data, ['index', 'size']);
          const index = decimal(req.data, 'index');
          const size = decimal(req.data, 'size');
          const latest = checkpoint(l);
          if (size > latest.size) throw invalid(`"size" is larger than the latest checkpoint's (${latest.size})`, 'ledger_invalid_range');
          if (index >= size) throw invalid('"index" must be below "size"', 'ledger_invalid_range');
          const proof = await inclusionProofFromTiles(fetcherOf(l), index, size);
          return { data: { index, size, hashes: hashes(proof) } };
        }),
      },
    },
    {
      pattern: 'ledger/proof/consistency',
      handlers: {
        read: heldUntilAnswered(deps.slots, async (req) => {
          const l = ledger();
          onlyParameters(req.data, ['from', 'to']);
          const from = decimal(req.data, 'from');
          const to = decimal(req.data, 'to');
          const latest = checkpoint(l);
          if (to > latest.size) throw invalid(`"to" is larger than the latest checkpoint's size (${latest.size})`, 'ledger_invalid_range');
          if (from > to) throw invalid('"from" must not be larger than "to"', 'ledger_invalid_range');
          const proof = await consistencyProofFromTiles(fetcherOf(l), from, to);
          return { data: { from, to, hashes: hashes(proof) } };
        }),
      },
    },
  ];
}
