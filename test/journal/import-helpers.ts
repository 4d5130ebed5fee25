/** A journal in a temporary directory, and an import into it that collects what was reported. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importFiles, type BadRecord, type ImportFormat, type ImportSummary, type JournalRecord, type JournalStore } from '../../src/journal/index.js';

import type { JournalBackend } from './backends.js';

export const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'journal');

export interface ImportWorld {
  dir: string;
  store: JournalStore;
  run(format: ImportFormat, paths: string[], extra?: { batchRecords?: number; maxLineBytes?: number }): Promise<ImportSummary & { reports: BadRecord[] }>;
  all(): Promise<JournalRecord[]>;
}

/** The import's files in a temporary directory; the journal on `backend` (a store of its own). */
export async function withImportWorld(backend: JournalBackend, fn: (w: ImportWorld) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'sealtrail-jimport-'));
  const { store, dispose } = await backend.open();
  try {
    await fn({
      dir,
      store,
      async run(format, paths, extra = {}) {
        const reports: BadRecord[] = [];
        const summary = await importFiles({ format, paths, store, onBad: (b) => void reports.push(b), ...extra });
        return { ...summary, reports };
      },
      all: () => store.readSince(-1, 10_000),
    });
  } finally {
    await dispose();
    rmSync(dir, { recursive: true, force: true });
  }
}
