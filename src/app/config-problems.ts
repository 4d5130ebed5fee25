/**
 * Everything wrong with a configuration that can be known before the server opens anything: the
 * config module's startup checks, and the audit devices it declares (a known type, one per path,
 * options the device accepts). The start, a reload and `operator diagnose` all ask this.
 */
import { declarationProblems } from '../audit/index.js';
import { startupProblems, type ConfigProblem, type ServerConfig } from '../config/index.js';

export function configurationProblems(config: ServerConfig, opts: { dev: boolean }): ConfigProblem[] {
  const devices = declarationProblems(config.audit, { allowAuditLogPrefixing: config.allowAuditLogPrefixing });
  return [...startupProblems(config, opts), ...devices.map((message) => ({ key: 'audit', message }))];
}
