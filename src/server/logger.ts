/**
 * The server log: pino, on stderr, as JSON lines (`log_format = "json"`, the default) or as Vault's
 * standard text lines (`log_format = "standard"`): `<time> [LEVEL]  <message>: key=value …`.
 * Entries never carry tokens, secrets or plaintext.
 */
import pino from 'pino';

export type ServerLogger = pino.Logger;
export type LogFormat = 'json' | 'standard';

const LEVEL_NAMES: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'ERROR' };

/** A value as hclog writes it after `key=`: bare when it has no space, quote or `=`, else quoted. */
function logValue(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
  return /^[^\s"=]+$/.test(text) ? text : JSON.stringify(text);
}

/** One pino JSON line as a standard line (a line that is not pino's JSON is passed as it is). */
export function standardLine(json: string): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json;
  }
  const { level, time, msg, svc: _svc, pid: _pid, hostname: _host, ...fields } = entry;
  const name = LEVEL_NAMES[Number(level)] ?? 'INFO';
  const err = fields.err as { message?: unknown } | undefined;
  if (err && typeof err === 'object') fields.err = err.message;
  const pairs = Object.entries(fields).map(([k, v]) => `${k}=${logValue(v)}`);
  const at = typeof time === 'number' ? new Date(time).toISOString() : new Date().toISOString();
  return `${at} [${name}]${' '.repeat(6 - name.length)}${String(msg ?? '')}${pairs.length ? `: ${pairs.join(' ')}` : ''}\n`;
}

/** Every child made from a root logger, held weakly (a pino child keeps the level it was made with). */
const childrenOf = new WeakMap<ServerLogger, Set<WeakRef<ServerLogger>>>();

function prune(children: Set<WeakRef<ServerLogger>>): void {
  for (const ref of children) if (ref.deref() === undefined) children.delete(ref);
}

export function createLogger(level: string, format: LogFormat = 'json'): ServerLogger {
  const children = new Set<WeakRef<ServerLogger>>();
  const stderr = pino.destination({ fd: 2, sync: false });
  const destination = format === 'json' ? stderr : { write: (line: string) => stderr.write(standardLine(line)) };
  const root = pino({
    level,
    base: { svc: 'sealtrail' },
    // Grandchildren report here too: pino passes onChild down.
    onChild: (child) => {
      prune(children);
      children.add(new WeakRef(child));
    },
  }, destination);
  childrenOf.set(root, children);
  return root;
}

/** Sets the level of a logger made by `createLogger` and of every child made from it since (SIGHUP's log_level). */
export function setLogLevel(log: ServerLogger, level: string): void {
  log.level = level;
  const children = childrenOf.get(log);
  if (!children) return;
  for (const ref of children) {
    const child = ref.deref();
    if (child) child.level = level;
    else children.delete(ref);
  }
}
