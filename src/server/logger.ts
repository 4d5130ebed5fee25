/** The server log: pino, JSON lines on stderr. Entries never carry tokens, secrets or plaintext. */
import pino from 'pino';

export type ServerLogger = pino.Logger;

/** Every child made from a root logger, held weakly (a pino child keeps the level it was made with). */
const childrenOf = new WeakMap<ServerLogger, Set<WeakRef<ServerLogger>>>();

function prune(children: Set<WeakRef<ServerLogger>>): void {
  for (const ref of children) if (ref.deref() === undefined) children.delete(ref);
}

export function createLogger(level: string): ServerLogger {
  const children = new Set<WeakRef<ServerLogger>>();
  const root = pino({
    level,
    base: { svc: 'sealtrail' },
    // Grandchildren report here too: pino passes onChild down.
    onChild: (child) => {
      prune(children);
      children.add(new WeakRef(child));
    },
  }, pino.destination({ fd: 2, sync: false }));
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
