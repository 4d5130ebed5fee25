/** What the import's reading thread and its writer thread say to each other. */
import type { ImportOutcome } from '../types.js';
import type { PackedBatch } from './packed-batch.js';

export type ImportRequest = { batch: PackedBatch } | { close: true };

export interface WriterFailure {
  message: string;
  code?: string;
}

/** One per batch, in the order the batches were sent. */
export type ImportReply = { outcome: ImportOutcome } | { failure: WriterFailure };

/** To the checkpointer thread: a batch was committed, or the import is over. */
export type CheckpointRequest = { committed: true } | { close: true };
