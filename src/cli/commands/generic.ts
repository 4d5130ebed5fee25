/**
 * The generic logical commands, `sealtrail read | write | delete | list <path> [key=value ...]`
 * and `sealtrail unwrap [token]`,
 * which reach any API path. They print the API's answer as is (for `read` of a token endpoint
 * that includes what the server returns; use the `token` commands for redacted output).
 */
import type { Command } from 'commander';
import type { Query } from '../../sdk/index.js';
import { resolveToken, type CliContext } from '../context.js';
import { CliExit, EXIT_REMOTE, remote, usageError } from '../failure.js';
import { parseKeyValueArgs } from '../kv-builder.js';
import { printField } from '../output.js';

const apiPath = (raw: string) => {
  const path = raw.trim().replace(/^\/+/, '');
  if (path === '') throw usageError('a path is required');
  return path;
};

/** key=value data as query parameters (for read and delete); lists repeat the key. */
function toQuery(data: Record<string, unknown>): Query {
  const query: Query = {};
  for (const [k, v] of Object.entries(data)) query[k] = Array.isArray(v) ? v.map(String) : typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v);
  return query;
}

export function registerGeneric(program: Command, ctx: CliContext): void {
  program
    .command('read')
    .description('Read data from any path')
    .argument('<path>', 'API path, e.g. sys/mounts')
    .argument('[data...]', 'key=value query parameters')
    .option('--field <name>', 'print only this field')
    .action(async (raw: string, args: string[], flags: { field?: string }) => {
      const path = apiPath(raw);
      const query = toQuery(await parseKeyValueArgs(args, ctx.io));
      const out = ctx.output();
      const client = await ctx.client();
      const found = await remote(`reading ${path}`, () => client.read(path, query));
      if (!found) throw new CliExit(EXIT_REMOTE, `No value found at ${path}`);
      if (flags.field) return printField(out, found, flags.field, ctx.io.stdoutIsTty);
      out.secret(found);
    });

  program
    .command('unwrap')
    .description('Unwrap a response-wrapping token: the given one, or the current token if it is one')
    .argument('[token]', 'the wrapping token (default: the current token)')
    .option('--field <name>', 'print only this field')
    .action(async (token: string | undefined, flags: { field?: string }) => {
      const out = ctx.output();
      // As vault: a named token goes in the body (the current token authenticates the call); with
      // no current token, or none named, the wrapping token is itself the client token.
      const current = await resolveToken(ctx.io);
      const client = (await ctx.anonymousClient()).withToken(current ?? token);
      const body = token && current && token !== current ? { token } : {};
      const found = await remote('unwrapping', () => client.write('sys/wrapping/unwrap', body));
      if (!found) throw new CliExit(EXIT_REMOTE, 'No value found');
      if (flags.field) return printField(out, found, flags.field, ctx.io.stdoutIsTty);
      out.secret(found, { showToken: true });
    });

  program
    .command('write')
    .description('Write data to any path: key=value pairs, key=@file, key=-, or "-" for a JSON object on stdin')
    .argument('<path>', 'API path')
    .argument('[data...]', 'key=value pairs')
    .option('-f, --force', 'write even with no data')
    .option('--field <name>', 'print only this field')
    .action(async (raw: string, args: string[], flags: { force?: boolean; field?: string }) => {
      const path = apiPath(raw);
      const data = await parseKeyValueArgs(args, ctx.io);
      if (Object.keys(data).length === 0 && !flags.force) throw usageError('Must supply data or use -force');
      const out = ctx.output();
      const client = await ctx.client();
      const answer = await remote(`writing data to ${path}`, () => client.write(path, data));
      if (!answer) out.written(path);
      else if (flags.field) printField(out, answer, flags.field, ctx.io.stdoutIsTty);
      else out.secret(answer, { showToken: true });
    });

  program
    .command('delete')
    .description('Delete data at any path')
    .argument('<path>', 'API path')
    .argument('[data...]', 'key=value query parameters')
    .action(async (raw: string, args: string[]) => {
      const path = apiPath(raw);
      const query = toQuery(await parseKeyValueArgs(args, ctx.io));
      const out = ctx.output();
      const client = await ctx.client();
      const answer = await remote(`deleting ${path}`, () => client.delete(path, query));
      if (!answer) out.line(`Success! Data deleted (if it existed) at: ${path}`);
      else out.secret(answer);
    });

  program
    .command('list')
    .description('List the keys under any path')
    .argument('<path>', 'API path, e.g. secret/metadata/')
    .action(async (raw: string) => {
      const path = apiPath(raw);
      const out = ctx.output();
      const client = await ctx.client();
      const found = await remote(`listing ${path}`, () => client.list(path));
      const keys = found?.data?.keys ?? [];
      if (keys.length === 0) throw new CliExit(EXIT_REMOTE, `No value found at ${path}`);
      out.warnings(found?.warnings);
      out.list(keys);
    });
}
