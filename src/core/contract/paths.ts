/**
 * A small path framework for backends: a list of path patterns, each with a handler per
 * operation. Patterns are regular-expression sources anchored at both ends, with named groups for
 * parameters: `data/(?<path>.+)`. The first pattern that matches wins; a matching pattern with no
 * handler for the operation answers 405, no matching pattern answers 404.
 */
import { notFound, unsupportedOperation } from '../../errors/index.js';
import type { Backend, BackendRequest, LogicalResponse, Operation } from './types.js';

export interface PathRequest extends BackendRequest {
  /** Named groups of the matched pattern. */
  readonly params: Readonly<Record<string, string>>;
}

export type PathHandler = (req: PathRequest) => Promise<LogicalResponse | undefined>;

export interface PathSpec {
  pattern: string;
  handlers: Partial<Record<Operation, PathHandler>>;
  /** Decides create vs update for POST/PUT on this path. */
  existenceCheck?: (req: PathRequest) => Promise<boolean>;
  /**
   * How the handlers read their parameters, for the ACL (Backend.listParameters): the names they
   * split on commas. Absent: not declared.
   */
  listParameters?: readonly string[];
  /**
   * The parameters a create or update here reads. Declared: any other is named in Vault's warning
   * (`Endpoint ignored these unrecognized parameters: [...]`), so a mistyped name is not silently
   * dropped. Absent: not checked.
   */
  fields?: readonly string[];
}

interface CompiledPath extends PathSpec {
  re: RegExp;
}

export interface PathRouter {
  handle(req: BackendRequest): Promise<LogicalResponse | undefined>;
  existenceCheck(req: BackendRequest): Promise<boolean>;
  /** The list parameters the path that handles `path` declares (PathSpec.listParameters). */
  listParameters(path: string): readonly string[] | undefined;
}

/**
 * The request a path handler sees, built field by field: `{ ...req, params }` took V8's generic
 * copy here, ~1 µs on every request (BENCHMARKS.md). The mapped type makes a field added to
 * BackendRequest a compile error until it is copied too.
 */
function pathRequest(req: BackendRequest, params: Readonly<Record<string, string>>): PathRequest {
  const out: { [K in keyof Required<BackendRequest>]: BackendRequest[K] } & { params: PathRequest['params'] } = {
    logical: req.logical, operation: req.operation, path: req.path, data: req.data, mount: req.mount, token: req.token, params,
  };
  return out;
}

export function pathRouter(specs: PathSpec[]): PathRouter {
  const compiled: CompiledPath[] = specs.map((s) => ({ ...s, re: new RegExp(`^(?:${s.pattern})$`) }));
  // Asked before every request's ACL check: most paths declare nothing, so only a path one of the
  // few declaring patterns matches pays for finding the pattern that handles it.
  const declaring = compiled.filter((s) => s.listParameters !== undefined);

  function match(path: string): { spec: CompiledPath; params: Record<string, string> } | undefined {
    for (const spec of compiled) {
      const m = spec.re.exec(path);
      // exec returns a fresh `groups` object per match: it can be handed out as is.
      if (m) return { spec, params: m.groups ?? {} };
    }
    return undefined;
  }

  return {
    async handle(req) {
      const found = match(req.path);
      if (!found) throw notFound(`unsupported path`, 'unsupported_path');
      let handler = found.spec.handlers[req.operation];
      // Vault treats create and update alike unless a path says otherwise.
      if (!handler && req.operation === 'create') handler = found.spec.handlers.update;
      if (!handler && req.operation === 'update') handler = found.spec.handlers.create;
      if (!handler) throw unsupportedOperation();
      const res = await handler(pathRequest(req, found.params));
      const ignored = isWrite(req.operation) ? ignoredParameters(req.data, found.spec.fields) : undefined;
      return ignored ? withWarning(res, ignored) : res;
    },
    async existenceCheck(req) {
      const found = match(req.path);
      if (!found || !found.spec.existenceCheck) return true;
      return found.spec.existenceCheck(pathRequest(req, found.params));
    },
    listParameters(path) {
      if (!declaring.some((s) => s.re.test(path))) return undefined;
      return match(path)?.spec.listParameters;
    },
  };
}

/** Names listed in the warning at most; a request's keys are bounded by its body, not here. */
const MAX_IGNORED_NAMED = 32;

const isWrite = (op: Operation) => op === 'create' || op === 'update';

/** Vault's warning for the data keys a path does not read, or undefined when it reads them all. */
function ignoredParameters(data: Readonly<Record<string, unknown>>, fields: readonly string[] | undefined): string | undefined {
  if (!fields) return undefined;
  const ignored = Object.keys(data).filter((k) => !fields.includes(k)).sort();
  if (ignored.length === 0) return undefined;
  const named = ignored.slice(0, MAX_IGNORED_NAMED).join(' ');
  const more = ignored.length > MAX_IGNORED_NAMED ? ` and ${ignored.length - MAX_IGNORED_NAMED} more` : '';
  return `Endpoint ignored these unrecognized parameters: [${named}]${more}`;
}

function withWarning(res: LogicalResponse | undefined, warning: string): LogicalResponse {
  return { ...res, warnings: [...(res?.warnings ?? []), warning] };
}

/** Builds a Backend from a path list. */
export function backendFromPaths(specs: PathSpec[], extra?: Partial<Backend>): Backend {
  const router = pathRouter(specs);
  return {
    handleRequest: (req) => router.handle(req),
    existenceCheck: (req) => router.existenceCheck(req),
    ...(specs.some((s) => s.listParameters !== undefined) ? { listParameters: (path: string) => router.listParameters(path) } : {}),
    ...extra,
  };
}
