/**
 * The layer rule of docs/architecture.md, as an ESLint rule: which top-level module under src/
 * may import which, and through which file. A module imports another only through its index.ts
 * (lib/ excepted: its files are helpers that import nothing internal, each its own front door),
 * and never the other way up the layers. One table, below, is the whole rule.
 */
import path from 'node:path';

const BASE = ['lib', 'errors'];

/** Module → the modules it may import (besides itself). */
export const LAYERS = {
  lib: [],
  errors: [],
  sdk: [],
  config: BASE,
  storage: BASE,
  journal: [...BASE, 'ledger'],
  ledger: BASE,
  ha: BASE,
  core: [...BASE, 'storage', 'journal'],
  attestation: BASE,
  audit: [...BASE, 'storage', 'core', 'journal'],
  secrets: [...BASE, 'storage', 'core', 'journal'],
  auth: [...BASE, 'storage', 'core', 'journal', 'attestation'],
  trail: [...BASE, 'storage', 'core', 'journal', 'config'],
  kms: [...BASE, 'storage', 'core', 'journal', 'attestation', 'auth', 'trail'],
  sys: [...BASE, 'storage', 'core', 'journal', 'ledger', 'audit', 'auth', 'trail'],
  server: [...BASE, 'config', 'core', 'kms', 'trail'],
  app: [...BASE, 'config', 'storage', 'ha', 'core', 'attestation', 'journal', 'ledger', 'audit', 'auth', 'secrets', 'trail', 'kms', 'sys', 'server'],
  cli: [...BASE, 'sdk', 'config', 'attestation', 'ledger'],
};

/** Imports allowed only as `await import(...)`, loaded when a command needs them. */
export const LAZY = {
  cli: ['app', 'trail', 'journal'],
};

/** Inside the core, the contract stands below the lifecycle: it imports nothing else of the core. */
const CONTRACT = 'core/contract';

function srcRelative(file) {
  const parts = path.resolve(file).split(path.sep);
  const i = parts.lastIndexOf('src');
  return i < 0 ? undefined : parts.slice(i + 1).join('/');
}

const rule = {
  meta: {
    type: 'problem',
    docs: { description: 'Imports between the modules of src/ follow the layers of docs/architecture.md' },
    schema: [],
    messages: {
      upward: "'src/{{from}}' may not import from 'src/{{to}}' (the layers in docs/architecture.md: {{from}} may import {{allowed}})",
      lazyOnly: "'src/{{from}}' may import 'src/{{to}}' only lazily, with await import(...)",
      frontDoor: "import 'src/{{to}}' through its front door 'src/{{to}}/index.ts', not '{{spec}}'",
      ownIndex: "a file of 'src/{{from}}' imports its own module's index.ts: import the file itself (an import cycle otherwise)",
      contract: "the core's contract (src/core/contract/) may not import the lifecycle ('{{spec}}')",
      outside: "'{{spec}}' reaches outside src/",
    },
  },
  create(context) {
    const file = context.filename ?? context.getFilename();
    const from = srcRelative(file);
    if (from === undefined || !from.includes('/')) return {};
    const fromModule = from.split('/')[0];

    function check(node, source, lazy) {
      const spec = source?.value;
      if (typeof spec !== 'string' || !spec.startsWith('.')) return;
      const target = srcRelative(path.resolve(path.dirname(file), spec));
      if (target === undefined || target.startsWith('..')) return context.report({ node: source, messageId: 'outside', data: { spec } });
      const toModule = target.split('/')[0];
      const typeOnly = node.importKind === 'type' || node.exportKind === 'type';
      if (toModule === fromModule) {
        if (!typeOnly && target === `${toModule}/index.js` && from !== `${fromModule}/index.ts`) {
          return context.report({ node: source, messageId: 'ownIndex', data: { from: fromModule } });
        }
        if (from.startsWith(`${CONTRACT}/`) && !target.startsWith(`${CONTRACT}/`)) {
          return context.report({ node: source, messageId: 'contract', data: { spec } });
        }
        return;
      }
      const allowed = LAYERS[fromModule] ?? [];
      if (!allowed.includes(toModule)) {
        if ((LAZY[fromModule] ?? []).includes(toModule)) {
          if (!lazy) return context.report({ node: source, messageId: 'lazyOnly', data: { from: fromModule, to: toModule } });
        } else {
          return context.report({ node: source, messageId: 'upward', data: { from: fromModule, to: toModule, allowed: allowed.join(', ') || 'nothing internal' } });
        }
      }
      if (toModule !== 'lib' && target !== `${toModule}/index.js`) {
        context.report({ node: source, messageId: 'frontDoor', data: { to: toModule, spec } });
      }
    }

    return {
      ImportDeclaration: (node) => check(node, node.source, false),
      ExportNamedDeclaration: (node) => node.source && check(node, node.source, false),
      ExportAllDeclaration: (node) => check(node, node.source, false),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node, node.source, true),
    };
  },
};

export default { meta: { name: 'sealtrail-layers' }, rules: { boundaries: rule } };
