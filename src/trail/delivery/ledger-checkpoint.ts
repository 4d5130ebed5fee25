/**
 * The ledger checkpoint a digest file names (`sealtrailLedgerCheckpoint`, beyond AWS's fields):
 * the journal ledger's signed checkpoint current when the digest was built, so one signed
 * artifact ties the trail's files to the tree head of every journal record up to that moment.
 * The digest signature covers it (the string to sign holds the SHA-256 of the whole digest
 * JSON); the signed note inside is the ledger key's own signature, checkable without the trail.
 */

/** The ledger's latest signed checkpoint: its note text, tree size and root hash. */
export interface LedgerHead {
  readonly note: string;
  readonly size: number;
  readonly root: Uint8Array;
}

export interface LedgerCheckpointField {
  origin: string;
  treeSize: number;
  /** Standard base64 of the 32-byte root. */
  rootHash: string;
  /** The checkpoint as the ledger signed it (a C2SP signed note). */
  signedNote: string;
}

/** The checkpoint body's lines: origin, size, base64 root (the text before the signatures). */
function bodyLines(note: string): string[] {
  const split = note.lastIndexOf('\n\n');
  return split < 0 ? [] : note.slice(0, split).split('\n');
}

export function ledgerCheckpointField(head: LedgerHead): LedgerCheckpointField {
  return {
    origin: bodyLines(head.note)[0] ?? '',
    treeSize: head.size,
    rootHash: Buffer.from(head.root).toString('base64'),
    signedNote: head.note,
  };
}

/**
 * Why a digest's ledger field cannot be right (undefined when it is consistent): its origin,
 * size and root must be the signed note's own, so a reader may use either.
 */
export function ledgerFieldProblem(field: unknown): string | undefined {
  const f = field as Partial<LedgerCheckpointField> | null;
  if (typeof f !== 'object' || f === null || typeof f.origin !== 'string' || typeof f.rootHash !== 'string'
    || typeof f.signedNote !== 'string' || !Number.isSafeInteger(f.treeSize)) return 'its ledger checkpoint is malformed';
  const [origin, size, root] = bodyLines(f.signedNote);
  if (origin !== f.origin || size !== String(f.treeSize) || root !== f.rootHash) return 'its ledger checkpoint differs from the signed note it carries';
  return undefined;
}

/**
 * Why a digest's checkpoint cannot precede the one the next digest of the chain names (undefined
 * when it can): a ledger only grows, so a smaller tree later, or the same size with another root,
 * means the journal's ledger was rolled back or rewritten between the two. Checkpoints of another
 * origin are another ledger's and are not compared.
 */
export function ledgerRollbackProblem(older: LedgerCheckpointField, newer: LedgerCheckpointField): string | undefined {
  if (older.origin !== newer.origin) return undefined;
  if (older.treeSize > newer.treeSize) {
    return `its ledger checkpoint (tree size ${older.treeSize}) is past the one the next digest names (tree size ${newer.treeSize}): the ledger was rolled back`;
  }
  if (older.treeSize === newer.treeSize && older.rootHash !== newer.rootHash) {
    return `its ledger checkpoint (tree size ${older.treeSize}) has another root than the one the next digest names at that size: the ledger was rewritten`;
  }
  return undefined;
}
