/**
 * The ledger: tamper evidence for the journal as a C2SP tiled transparency log (RFC 6962 hashing,
 * tlog-tiles layout, tlog-checkpoint bodies signed as C2SP signed notes with Ed25519). Pure building
 * blocks: no I/O of its own; the caller stores and serves what these compute.
 */
export { HASH_SIZE, leafHash, leafHashOfRange, nodeHash, nodeHashOfPair, perfectRoot, emptyRoot, rootOf, splitPoint, isPowerOfTwo } from './hash.js';
export {
  inclusionProof, consistencyProof, rootFromInclusionProof, verifyInclusion, verifyConsistency, nodesRead, rangeHash,
  type NodeReader, type NodeCoord,
} from './proof.js';
export {
  TILE_WIDTH, TILE_HEIGHT, MAX_TILE_LEVEL, hashesAtLevel, tileHolding, tilesOfTree, bundlesOfTree, partialTiles, tileKey,
  type TileCoord, type BundleCoord,
} from './tiles.js';
export { CHECKPOINT_PATH, MAX_PATH_LENGTH, encodeTileIndex, tilePath, bundlePath, parseLogPath, maxBytesOf, type LogPath, type LogFetcher } from './paths.js';
export { TreeBuilder, type TileData } from './tree-builder.js';
export {
  readerFromTiles, inclusionProofFromTiles, consistencyProofFromTiles, leafHashFromTiles, builderFromTiles, rootFromTiles,
} from './tile-proofs.js';
export {
  MAX_ENTRY_BYTES, encodeBundle, decodeBundle, scanBundle, bundleRanges, bundlesForAppend,
  type BundleData, type BundleScan, type BundleRanges, type BundleProblem,
} from './bundles.js';
export { MAX_CHECKPOINT_BYTES, MAX_CHECKPOINT_EXTENSIONS, formatCheckpoint, parseCheckpoint, type Checkpoint } from './checkpoint.js';
export {
  MAX_NOTE_SIGNATURES, MAX_NOTE_BYTES, isValidKeyName, keyId, rawPublicKey, ed25519PrivateKeyFromSeed, ed25519PublicKeyFromRaw,
  noteSigner, noteVerifier, formatVerifierKey, parseVerifierKey, parseSignerKey, formatSignerKey, signNote, openNote,
  type NoteSigner, type NoteVerifier, type NoteSignature, type OpenedNote,
} from './note.js';
export { DIGEST_ENTRY_HEADER, needsDigestEntry, digestEntry, ledgerEntry, parseDigestEntry, entryMatchesRecord, type DigestEntry } from './entry.js';
export { LogAppender, type LogFile, type AppendResult } from './log-appender.js';
export { signCheckpoint, openCheckpoint, type OpenedCheckpoint } from './signed-checkpoint.js';
export { verifyLog, verifyPublishedLog, hashLeavesHere, type VerifyLogOptions, type LogVerdict, type LeafHasher } from './verify-log.js';
