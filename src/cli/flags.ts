/** Flag value helpers shared by the command groups. */
import { usageError } from './failure.js';

/** For repeatable flags (`-policy=a -policy=b`): commander's accumulate callback. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** Repeated and/or comma-separated values → one trimmed list (`-versions=1,2 -versions=3`). */
export function splitList(values: readonly string[] | undefined): string[] {
  return (values ?? []).flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '');
}

/** A non-negative integer flag; bad input is a usage error naming the flag. */
export function parseIntFlag(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value.trim())) throw usageError(`invalid value "${value}" for flag -${flag}: expected a non-negative integer`);
  return Number(value.trim());
}

/** vault's integer flags whose default is -1 (-cas, -max-versions): a negative value means the flag is not set. */
export function parseIntOrUnset(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (!/^-?\d+$/.test(text)) throw usageError(`invalid value "${value}" for flag -${flag}: expected an integer`);
  return text.startsWith('-') ? undefined : Number(text);
}

/** A list of version numbers for kv delete/undelete/destroy. */
export function parseVersions(values: readonly string[] | undefined): number[] {
  return splitList(values).map((v) => parseIntFlag('versions', v) as number);
}

/** Mount-style paths end in exactly one `/` (vault's ensureTrailingSlash + sanitizePath). */
export function mountPathOf(path: string): string {
  const trimmed = path.trim().replace(/^\/+|\/+$/g, '');
  if (trimmed === '') throw usageError('a path is required');
  return `${trimmed}/`;
}
