/**
 * Every other path under a KV v2 mount (`secret/app` instead of `secret/data/app`): Vault's answer
 * is a 404 with no data and a warning naming the CLI command to use, which tools read to tell a
 * versioned mount from a KV v1 one (the Go client's `Warnings`, Ansible's hashi_vault, hvac's
 * InvalidPath text). Anything under the mount that no other path takes lands here, so it goes last.
 */
import type { LogicalResponse, Operation, PathHandler, PathSpec } from '../../core/index.js';

/** Vault's `vault kv <command>` for each operation. */
const COMMANDS: Partial<Record<Operation, string>> = { read: 'get', create: 'put', update: 'put', delete: 'delete', list: 'list' };

const invalidPath = (command: string): PathHandler => async (): Promise<LogicalResponse> => ({
  httpStatus: 404,
  warnings: [`Invalid path for a versioned K/V secrets engine. See the API docs for the appropriate API endpoints to use. If using the Vault CLI, use 'vault kv ${command}' for this operation.`],
});

export function invalidPaths(): PathSpec {
  const handlers: Partial<Record<Operation, PathHandler>> = {};
  for (const [operation, command] of Object.entries(COMMANDS) as Array<[Operation, string]>) handlers[operation] = invalidPath(command);
  return { pattern: '.*', handlers };
}
