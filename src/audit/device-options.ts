/**
 * The options every audit device understands, whatever its type (Vault's names and defaults):
 * format (json|jsonx), prefix, hmac_accessor (true), log_raw (false), elide_list_responses (false),
 * filter, fallback (false), and Sealtrail's required (false; the journal's default is true).
 * Type-specific options (file_path, address...) are the sink's business.
 */
import { invalid } from '../errors/index.js';
import type { DeviceOptions } from './devices/types.js';
import { parseFilter, type FilterNode } from './filter.js';

export type AuditFormat = 'json' | 'jsonx';

export interface CommonOptions {
  format: AuditFormat;
  prefix: string;
  hmacAccessor: boolean;
  logRaw: boolean;
  elideListResponses: boolean;
  filter?: { source: string; ast: FilterNode };
  fallback: boolean;
  /**
   * A request is answered only if every required device that an entry goes to recorded it (and
   * at least one device did, as always): a required device's failure refuses the request even
   * when other devices recorded the entry.
   */
  required: boolean;
}

const TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const FALSE = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

/** Go's strconv.ParseBool, as Vault parses boolean options. */
export function parseBoolOption(options: DeviceOptions, name: string, fallback: boolean): boolean {
  const v = options[name];
  if (v === undefined || v === '') return fallback;
  if (TRUE.has(v)) return true;
  if (FALSE.has(v)) return false;
  throw invalid(`option "${name}" must be a boolean (true or false)`, 'invalid_audit_option');
}

export function parseCommonOptions(
  options: DeviceOptions,
  settings: { allowAuditLogPrefixing: boolean },
  defaults: { required: boolean } = { required: false },
): CommonOptions {
  const format = options.format === undefined || options.format === '' ? 'json' : options.format;
  if (format !== 'json' && format !== 'jsonx') {
    throw invalid(`option "format" must be "json" or "jsonx"`, 'invalid_audit_option');
  }
  const prefix = options.prefix ?? '';
  if (prefix !== '' && !settings.allowAuditLogPrefixing) {
    // A prefix written before every line lets whoever can configure a file device shape the file's
    // first bytes (e.g. a shebang) — with an attacker-chosen path that became code execution
    // (CVE-2025-6000, CVE-2025-54997). So prefixes are an explicit operator opt-in.
    throw invalid(
      'option "prefix" is refused: audit log prefixes are disabled unless the server setting ' +
        'allow_audit_log_prefixing is enabled (see CVE-2025-6000 and CVE-2025-54997)',
      'audit_prefix_not_allowed',
    );
  }
  const fallback = parseBoolOption(options, 'fallback', false);
  const filterSource = options.filter ?? '';
  if (fallback && filterSource !== '') {
    throw invalid('a fallback audit device cannot have a filter', 'invalid_audit_option');
  }
  return {
    format,
    prefix,
    hmacAccessor: parseBoolOption(options, 'hmac_accessor', true),
    logRaw: parseBoolOption(options, 'log_raw', false),
    elideListResponses: parseBoolOption(options, 'elide_list_responses', false),
    filter: filterSource === '' ? undefined : { source: filterSource, ast: parseFilter(filterSource) },
    fallback,
    required: parseBoolOption(options, 'required', defaults.required),
  };
}
