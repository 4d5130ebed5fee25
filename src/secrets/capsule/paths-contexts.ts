/**
 * `write-context/<name>` and `read-context/<name>`: read, create/update, delete, list. Every
 * change is stored together with its control-log record in one transaction.
 */
import type { PathSpec } from '../../core/index.js';
import { notFound } from '../../errors/index.js';
import type { ContextStore } from './context-store.js';
import type { CapsuleEngine } from './engine.js';
import { contextName } from './input.js';
import { parseReadContext } from './read-context.js';
import { parseWriteContext } from './write-context.js';

interface ContextKind<T extends { name: string }> {
  /** Path segment and log wording: `write-context`. */
  segment: string;
  label: string;
  store: (engine: CapsuleEngine) => ContextStore<T>;
  parse: (name: string, data: Record<string, unknown>) => T;
}

function contextPaths<T extends { name: string }>(engine: CapsuleEngine, kind: ContextKind<T>): PathSpec[] {
  const store = kind.store(engine);
  const name = (params: Record<string, string>) => contextName(params.name, kind.label);
  return [
    {
      pattern: `${kind.segment}/?`,
      handlers: {
        list: async () => {
          await engine.ready();
          return { data: { keys: await store.list() } };
        },
      },
    },
    {
      pattern: `${kind.segment}/(?<name>[^/]+)`,
      existenceCheck: async (req) => {
        await engine.ready();
        return (await store.get(name(req.params))) !== undefined;
      },
      handlers: {
        read: async (req) => {
          await engine.ready();
          const context = await store.get(name(req.params));
          if (!context) throw notFound(`no ${kind.label} named "${req.params.name}"`, 'capsule_context_not_found');
          return { data: { ...context } };
        },
        update: async (req) => {
          await engine.ready();
          const context = kind.parse(name(req.params), req.data);
          const existed = (await store.get(context.name)) !== undefined;
          const { ops, committed } = engine.controlRecord(req, {
            summary: `${existed ? 'Updated' : 'Created'} ${kind.label} ${context.name}`,
            description: { [kind.segment.replace('-', '_')]: context },
          });
          await store.put(context, ops);
          await committed();
          return undefined;
        },
        delete: async (req) => {
          await engine.ready();
          const n = name(req.params);
          const { ops, committed } = engine.controlRecord(req, { summary: `Deleted ${kind.label} ${n}`, description: { name: n } });
          await store.delete(n, ops);
          await committed();
          return undefined;
        },
      },
    },
  ];
}

export function writeContextPaths(engine: CapsuleEngine): PathSpec[] {
  return contextPaths(engine, { segment: 'write-context', label: 'write context', store: (e) => e.writeContexts, parse: parseWriteContext });
}

export function readContextPaths(engine: CapsuleEngine): PathSpec[] {
  return contextPaths(engine, { segment: 'read-context', label: 'read context', store: (e) => e.readContexts, parse: parseReadContext });
}
