/**
 * What can be said of the audit devices a configuration file declares without opening any: a
 * known type, one declaration per path and no path inside another's, and options each device
 * would accept. Checked when the
 * server starts, on a reload and by `operator diagnose`, so a typo is named there — not first at
 * unseal, when an auto-unsealing server would exit on it.
 */
import { SealtrailError } from '../errors/index.js';
import { normaliseAuditPath, pathsOverlap } from './audit-table.js';
import { parseCommonOptions } from './device-options.js';
import { DEVICE_TYPES, isDeviceType, optionCheckers } from './devices/index.js';
import type { ConfigDeviceDeclaration } from './manager.js';

/** One message per declaration that would fail, naming its path. */
export function declarationProblems(list: readonly ConfigDeviceDeclaration[], settings: { allowAuditLogPrefixing: boolean }): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const d of list) {
    const path = normaliseAuditPath(d.path);
    if (seen.has(path)) {
      problems.push(`audit device "${path}" is declared twice`);
      continue;
    }
    const overlapped = [...seen].find((other) => pathsOverlap(path, other));
    if (overlapped !== undefined) {
      problems.push(`audit device "${path}": its path overlaps the audit device at "${overlapped}"`);
      continue;
    }
    seen.add(path);
    if (!isDeviceType(d.type)) {
      problems.push(`audit device "${path}": unknown type "${d.type}" (known: ${[...DEVICE_TYPES].sort().join(', ')})`);
      continue;
    }
    const options = d.options ?? {};
    try {
      parseCommonOptions(options, settings);
      optionCheckers[d.type](options);
    } catch (err) {
      if (!(err instanceof SealtrailError)) throw err;
      problems.push(`audit device "${path}": ${err.message}`);
    }
  }
  return problems;
}
