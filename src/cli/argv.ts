/**
 * Vault-style argv → commander argv. The vault CLI uses Go's flag package: single-dash long flags
 * (`-format=json`, `-dev`), booleans written `-local=false`. Commander wants `--format=json` and
 * `--no-local`. This rewrite is purely lexical and stops at `--`.
 */

export interface FlagKinds {
  /** Long names of boolean flags (`dev`, `local`, ...): `-x=true` → `--x`, `-x=false` → `--no-x`. */
  booleans: ReadonlySet<string>;
  /** Long names that exist in negated form (`no-renewable`); `-x=false` without one is dropped (false is the default). */
  negatable: ReadonlySet<string>;
  /** Booleans declared in positive form (`--dev`); one declared only negated is true by default, so `-x=true` is dropped. */
  positive: ReadonlySet<string>;
}

const FLAG = /^--?([A-Za-z][A-Za-z0-9_-]*)(=[\s\S]*)?$/;
const GO_TRUE = new Set(['1', 't', 'T', 'true', 'TRUE', 'True']);
const GO_FALSE = new Set(['0', 'f', 'F', 'false', 'FALSE', 'False']);

/** A boolean as Go's strconv.ParseBool reads it (vault's boolean flags and variables); undefined if it is none. */
export function parseGoBool(value: string): boolean | undefined {
  return GO_TRUE.has(value) ? true : GO_FALSE.has(value) ? false : undefined;
}

export function preprocessArgv(argv: readonly string[], kinds: FlagKinds): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      out.push(...argv.slice(i));
      break;
    }
    const m = FLAG.exec(arg);
    // Single letters (-h) stay short options; `-` alone (stdin) and key=value pairs are not flags.
    if (!m || (m[1].length === 1 && !arg.startsWith('--'))) {
      out.push(arg);
      continue;
    }
    const name = m[1];
    const value = m[2]?.slice(1);
    if (value !== undefined && kinds.negatable.has(name)) {
      // vault's own negative flag (-no-default-policy=true): false is its default.
      if (GO_TRUE.has(value)) out.push(`--${name}`);
      else if (!GO_FALSE.has(value)) out.push(`--${name}=${value}`);
      continue;
    }
    if (value !== undefined && kinds.booleans.has(name)) {
      if (GO_TRUE.has(value)) { if (kinds.positive.has(name)) out.push(`--${name}`); }
      else if (GO_FALSE.has(value)) { if (kinds.negatable.has(`no-${name}`)) out.push(`--no-${name}`); }
      else out.push(`--${name}=${value}`); // commander reports it: the flag takes no value
      continue;
    }
    out.push(value === undefined ? `--${name}` : `--${name}=${value}`);
  }
  return out;
}
