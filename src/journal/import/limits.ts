/** The import's explicit limits (every one also named in docs/journal.md). */

/** A line (or a CloudTrail record) longer than this is a bad line: the reader never buffers more. */
export const MAX_LINE_BYTES = 16 * 1024 * 1024;

/**
 * Records per transaction. Each commit is durable (fsync), so the batch is large enough that
 * commits do not dominate, and small enough that the write lock is held briefly: a server
 * appending to the same file waits for one batch at most.
 */
export const IMPORT_BATCH_RECORDS = 1000;

/** Read size of input files. */
export const READ_CHUNK_BYTES = 1024 * 1024;
