/** The import's explicit limits (every one also named in docs/journal.md). */

/** A line (or a CloudTrail record) longer than this is a bad line: the reader never buffers more. */
export const MAX_LINE_BYTES = 16 * 1024 * 1024;

/**
 * Records per transaction. Every commit writes each page it changed, and the newest pages of each
 * index change in every batch: the batch is large enough that these rewrites do not dominate, and
 * small enough (a fraction of a second) that a server appending to the same file waits for one
 * batch at most.
 */
export const IMPORT_BATCH_RECORDS = 5000;

/**
 * UTF-8 bytes of text after which a batch is committed, however few records it holds: records
 * may each be up to MAX_LINE_BYTES, and a batch is held while read, then copied into shared
 * memory whose offsets are 32-bit (packed-batch.ts). A batch's text stays below this plus one
 * record.
 */
export const IMPORT_BATCH_TEXT_BYTES = 64 * 1024 * 1024;

/**
 * Batches handed to the journal's writer and not yet committed: one committing while the next is
 * read. With IMPORT_BATCH_RECORDS and IMPORT_BATCH_TEXT_BYTES, what an import holds in memory
 * stays bounded.
 */
export const IMPORT_BATCHES_IN_FLIGHT = 2;

/**
 * Pages the write-ahead log may reach during an import before the writer checkpoints it itself
 * (16,384 of 16 KiB: 256 MiB). The checkpointer thread (checkpointer-worker.ts) copies the log
 * after every batch, so this is a bound, reached only when it falls behind: a checkpoint on the
 * writer syncs both files and waits for the disk. A server's connections keep SQLite's default
 * (1,000 pages), which bounds the log on the journal's disk to 16 MiB.
 */
export const IMPORT_WAL_CHECKPOINT_PAGES = 16384;

/** Read size of input files. */
export const READ_CHUNK_BYTES = 1024 * 1024;
