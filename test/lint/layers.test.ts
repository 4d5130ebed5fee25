import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';

const root = fileURLToPath(new URL('../..', import.meta.url));
const eslint = new ESLint({ cwd: root, overrideConfigFile: join(root, 'eslint.config.js') });

/** The layer rule's findings for `code` placed at `file` (a path under src/ that need not exist). */
async function layerFindings(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(root, file) });
  return result.messages.filter((m) => m.ruleId === 'layers/boundaries').map((m) => m.message);
}

test('the core may not import the HTTP edge', async () => {
  const found = await layerFindings('src/core/fixture.ts', "import { createHttpServer } from '../server/index.js';\nexport const s = createHttpServer;\n");
  assert.deepEqual(found, ["'src/core' may not import from 'src/server' (the layers in docs/architecture.md: core may import lib, errors, storage, journal)"]);
});

test('the core may not import a module above it, even for a type', async () => {
  const found = await layerFindings('src/core/fixture.ts', "import type { AuditManager } from '../audit/index.js';\nexport type A = AuditManager;\n");
  assert.equal(found.length, 1);
  assert.match(found[0], /^'src\/core' may not import from 'src\/audit'/);
});

test('the core may import the layers below it', async () => {
  const found = await layerFindings('src/core/fixture.ts', "import { systemClock } from '../lib/clock.js';\nimport { invalid } from '../errors/index.js';\nimport type { Storage } from '../storage/index.js';\nexport const c = [systemClock, invalid] as const;\nexport type S = Storage;\n");
  assert.deepEqual(found, []);
});

test('the contract may not import the lifecycle', async () => {
  const found = await layerFindings('src/core/contract/fixture.ts', "import { Core } from '../core.js';\nexport const c = Core;\n");
  assert.deepEqual(found, ["the core's contract (src/core/contract/) may not import the lifecycle ('../core.js')"]);
});

test('another module is imported through its index.ts only', async () => {
  const deep = await layerFindings('src/kms/fixture.ts', "import type { TokenStore } from '../auth/token/types.js';\nexport type T = TokenStore;\n");
  assert.deepEqual(deep, ["import 'src/auth' through its front door 'src/auth/index.ts', not '../auth/token/types.js'"]);
  const front = await layerFindings('src/kms/fixture.ts', "import type { TokenStore } from '../auth/index.js';\nexport type T = TokenStore;\n");
  assert.deepEqual(front, []);
});

test('lib imports nothing internal', async () => {
  const found = await layerFindings('src/lib/fixture.ts', "import type { SealtrailError } from '../errors/index.js';\nexport type E = SealtrailError;\n");
  assert.equal(found.length, 1);
  assert.match(found[0], /^'src\/lib' may not import from 'src\/errors' .*lib may import nothing internal\)$/);
});

test('the CLI loads the server stack only lazily', async () => {
  const eager = await layerFindings('src/cli/fixture.ts', "import { runServer } from '../app/index.js';\nexport const r = runServer;\n");
  assert.deepEqual(eager, ["'src/cli' may import 'src/app' only lazily, with await import(...)"]);
  const lazy = await layerFindings('src/cli/fixture.ts', "export const load = () => import('../app/index.js');\n");
  assert.deepEqual(lazy, []);
});

test("a module's files do not import their own index.ts", async () => {
  const found = await layerFindings('src/trail/delivery/fixture.ts', "import { lookupEvents } from '../index.js';\nexport const l = lookupEvents;\n");
  assert.deepEqual(found, ["a file of 'src/trail' imports its own module's index.ts: import the file itself (an import cycle otherwise)"]);
});

test('the ledger imports only lib and errors', async () => {
  const found = await layerFindings('src/ledger/fixture.ts', "import type { JournalStoreOptions } from '../journal/index.js';\nexport type J = JournalStoreOptions;\n");
  assert.deepEqual(found, ["'src/ledger' may not import from 'src/journal' (the layers in docs/architecture.md: ledger may import lib, errors)"]);
  const below = await layerFindings('src/ledger/fixture.ts', "import { invalid } from '../errors/index.js';\nexport const i = invalid;\n");
  assert.deepEqual(below, []);
});
