/** Shared fixtures of the console's tests: a signed journal in an in-memory tiled log. */
import { leafHash as serverLeafHash } from '../../src/ledger/hash.js';
import { inclusionProof } from '../../src/ledger/proof.js';
import { ledgerEntry as serverLedgerEntry } from '../../src/ledger/entry.js';
import { parseSignerKey } from '../../src/ledger/note.js';
import { signCheckpoint } from '../../src/ledger/signed-checkpoint.js';
import { directReader, MemoryLog } from '../ledger/helpers.js';

/** The example key of Go's note package documentation. */
export const SKEY = 'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz';
export const VKEY = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';

/** A journal of `count` records in a tiled log signed by the PeterNeumann key. */
export function signedJournal(count: number) {
  const texts = Array.from({ length: count }, (_, seq) => JSON.stringify({ seq, type: seq % 2 ? 'response' : 'request', path: `secret/data/app${seq}` }));
  // Record 5 is large enough to enter the tree as a digest entry.
  texts[5] = JSON.stringify({ seq: 5, blob: 'x'.repeat(70_000) });
  const log = new MemoryLog();
  const root = log.append(texts.map((t, seq) => Buffer.from(serverLedgerEntry(seq, Buffer.from(t)))));
  const note = signCheckpoint({ origin: 'PeterNeumann', size: count, root, extensions: [] }, parseSignerKey(SKEY));
  const leaves = texts.map((t, seq) => serverLeafHash(serverLedgerEntry(seq, Buffer.from(t))));
  const proof = (seq: number) => ({ index: seq, size: count, hashes: inclusionProof(directReader(leaves), seq, count).map((h) => h.toString('base64')) });
  return { texts, log, note, proof, leaves };
}

