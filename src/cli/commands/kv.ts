/**
 * `sealtrail kv put | patch | rollback | get | delete | undelete | destroy | list` (and
 * `kv metadata`, in kv-metadata.ts). Paths are `secret/app/db` or `-mount=secret app/db`; see
 * kv-target.ts.
 */
import type { Command } from 'commander';
import { SealtrailApiError, type KvSecretData, type VaultResponse } from '../../sdk/index.js';
import type { CliContext } from '../context.js';
import { CliExit, EXIT_REMOTE, remote, usageError } from '../failure.js';
import { collect, parseIntFlag, parseIntOrUnset, parseVersions } from '../flags.js';
import { parseKeyValueArgs } from '../kv-builder.js';
import { kvApiPath } from '../kv-target.js';
import { printField } from '../output.js';
import { printMapSection, printPathHeader, printWrittenVersion, requireV2, target } from './kv-shared.js';
import { registerKvMetadata } from './kv-metadata.js';

export function registerKv(program: Command, ctx: CliContext): void {
  const kv = program.command('kv').description('Read and write KV version 2 secrets');

  kv.command('put')
    .description('Write a new version of a secret: key=value pairs, key=@file, key=- (stdin), or "-" for a JSON object on stdin')
    .argument('<path>', 'secret path, e.g. secret/app/db')
    .argument('[data...]', 'key=value pairs')
    .option('--mount <mount>', 'the KV mount; the path is then relative to it')
    .option('--cas <version>', 'check-and-set: 0 writes only a new secret, n only if the current version is n')
    .action(async (path: string, args: string[], flags: { mount?: string; cas?: string }) => {
      const data = await parseKeyValueArgs(args, ctx.io);
      if (Object.keys(data).length === 0) throw usageError('Must supply data');
      const cas = parseIntOrUnset('cas', flags.cas);
      const out = ctx.output();
      const { target: t, client } = await target(ctx, path, flags.mount);
      const fullPath = kvApiPath(t, 'data');
      if (t.version === 1) {
        if (cas !== undefined) throw usageError('-cas is only supported on KV Version 2');
        const written = await remote(`writing data to ${fullPath}`, () => client.write(fullPath, data));
        if (!written) out.written(fullPath);
        else out.secret(written);
        return;
      }
      printWrittenVersion(out, fullPath, await remote(`writing data to ${fullPath}`, () => client.kv(t.mount).put(t.path, data, { cas })));
    });

  kv.command('patch')
    .description('Merge data into the current version of a secret, writing a new version: key=value pairs, key=@file, key=- (stdin), or "-" for a JSON object on stdin')
    .argument('<path>', 'secret path, e.g. secret/app/db')
    .argument('[data...]', 'key=value pairs')
    .option('--mount <mount>', 'the KV mount; the path is then relative to it')
    .option('--cas <version>', 'check-and-set (patch method only): patch only if the current version is n')
    .option('--method <method>', 'patch (an HTTP PATCH, needs the patch capability) or rw (read, merge here, write with check-and-set)')
    .action(async (path: string, args: string[], flags: { mount?: string; cas?: string; method?: string }) => {
      const data = await parseKeyValueArgs(args, ctx.io);
      if (Object.keys(data).length === 0) throw usageError('Must supply data');
      const cas = parseIntOrUnset('cas', flags.cas);
      if (flags.method !== undefined && flags.method !== 'patch' && flags.method !== 'rw') throw usageError(`Unsupported method provided to -method flag: ${flags.method}`);
      const out = ctx.output();
      const { target: t, client } = await target(ctx, path, flags.mount);
      requireV2(t, 'Patch');
      const fullPath = kvApiPath(t, 'data');
      const api = client.kv(t.mount);
      const readWrite = async () => {
        // As vault's rw method: a shallow merge of the new keys into the current data, written
        // only if nobody wrote a version in between.
        const current = await remote(`reading ${fullPath}`, () => api.get(t.path));
        const body = current?.data as KvSecretData | null | undefined;
        if (!body?.data || !body.metadata) throw new CliExit(EXIT_REMOTE, `No value found at ${fullPath}`);
        return remote(`writing data to ${fullPath}`, () => api.put(t.path, { ...body.data, ...data }, { cas: body.metadata!.version }));
      };
      const patchOrFallBack = async () => {
        try {
          // As vault, -cas 0 (the default) sends no check-and-set.
          return await api.patch(t.path, data, { cas: cas !== undefined && cas > 0 ? cas : undefined });
        } catch (err) {
          if (!(err instanceof SealtrailApiError)) throw err;
          // A server without HTTP PATCH (405): fall back to rw unless -method asked for patch.
          if (err.status === 405 && flags.method === undefined) return readWrite();
          if (err.status === 404) throw new CliExit(EXIT_REMOTE, `No value found at ${fullPath}`);
          throw err;
        }
      };
      printWrittenVersion(out, fullPath, flags.method === 'rw' ? await readWrite() : await remote(`writing data to ${fullPath}`, patchOrFallBack));
    });

  kv.command('rollback')
    .description('Write an earlier version of a secret\'s data as its new current version')
    .argument('<path>', 'secret path')
    .option('--mount <mount>', 'the KV mount; the path is then relative to it')
    .option('--version <n>', 'the version to roll back to')
    .action(async (path: string, flags: { mount?: string; version?: string }) => {
      const version = parseIntFlag('version', flags.version);
      if (version === undefined || version <= 0) throw usageError('Must specify a version to roll back to with -version');
      const out = ctx.output();
      const { target: t, client } = await target(ctx, path, flags.mount);
      requireV2(t, 'Rollback');
      const fullPath = kvApiPath(t, 'data');
      const api = client.kv(t.mount);
      const latest = (await remote(`reading ${fullPath}`, () => api.get(t.path)))?.data as KvSecretData | null | undefined;
      if (!latest?.metadata) throw new CliExit(EXIT_REMOTE, `No value found at ${fullPath}`);
      const old = (await remote(`reading ${fullPath}`, () => api.get(t.path, { version })))?.data as KvSecretData | null | undefined;
      if (!old?.metadata) throw new CliExit(EXIT_REMOTE, `No value found at ${fullPath} for version ${version}`);
      if (!old.data) throw new CliExit(EXIT_REMOTE, `Cannot roll back to version ${version}: it has been deleted or destroyed`);
      // Check-and-set against the version read first: a write in between fails instead of being undone.
      printWrittenVersion(out, fullPath, await remote(`writing data to ${fullPath}`, () => api.put(t.path, old.data!, { cas: latest.metadata!.version })));
    });

  kv.command('get')
    .description('Read a secret (the latest version unless -version)')
    .argument('<path>', 'secret path')
    .option('--mount <mount>', 'the KV mount; the path is then relative to it')
    .option('--version <n>', 'the version to read')
    .option('--field <name>', 'print only this key of the secret\'s data')
    .action(async (path: string, flags: { mount?: string; version?: string; field?: string }) => {
      const version = parseIntFlag('version', flags.version);
      const out = ctx.output();
      const { target: t, client } = await target(ctx, path, flags.mount);
      const fullPath = kvApiPath(t, 'data');
      const found = await remote(`reading ${fullPath}`, () =>
        t.version === 2 ? client.kv(t.mount).get(t.path, { version }) : client.read(fullPath)) as VaultResponse<unknown> | undefined;
      if (!found) throw new CliExit(EXIT_REMOTE, `No value found at ${fullPath}`);
      if (t.version === 1) {
        if (flags.field) return printField(out, found, flags.field, ctx.io.stdoutIsTty);
        return out.secret(found);
      }
      const body = found.data as KvSecretData | null;
      if (flags.field) {
        if (!body?.data) throw new CliExit(EXIT_REMOTE, `No data found at ${fullPath}`);
        return printField(out, { ...found, data: body.data, auth: null }, flags.field, ctx.io.stdoutIsTty);
      }
      if (out.format === 'json') return out.secret(found);
      out.warnings(found.warnings);
      printPathHeader(out, 'Secret Path', fullPath);
      if (body?.metadata) {
        printMapSection(out, 'Metadata', body.metadata as unknown as Record<string, unknown>);
        out.line();
      }
      if (body?.data) printMapSection(out, 'Data', body.data);
    });

  kv.command('delete')
    .description('Soft-delete the latest version of a secret, or the versions given with -versions')
    .argument('<path>', 'secret path')
    .option('--mount <mount>', 'the KV mount; the path is then relative to it')
    .option('--versions <list>', 'versions to delete, e.g. 1,2 (repeatable)', collect, [])
    .action(async (path: string, flags: { mount?: string; versions: string[] }) => {
      const versions = parseVersions(flags.versions);
      const { target: t, client } = await target(ctx, path, flags.mount);
      let fullPath = kvApiPath(t, 'data');
      if (t.version === 1) {
        await remote(`deleting ${fullPath}`, () => client.delete(fullPath));
      } else if (versions.length > 0) {
        fullPath = kvApiPath(t, 'delete');
        await remote(`deleting ${fullPath}`, () => client.kv(t.mount).delete(t.path, versions));
      } else {
        await remote(`deleting ${fullPath}`, () => client.kv(t.mount).delete(t.path));
      }
      ctx.output().line(`Success! Data deleted (if it existed) at: ${fullPath}`);
    });

  for (const action of ['undelete', 'destroy'] as const) {
    kv.command(action)
      .description(action === 'undelete' ? 'Restore soft-deleted versions of a secret' : 'Permanently remove versions of a secret\'s data')
      .argument('<path>', 'secret path')
      .option('--mount <mount>', 'the KV mount; the path is then relative to it')
      .option('--versions <list>', `versions to ${action}, e.g. 1,2 (repeatable)`, collect, [])
      .action(async (path: string, flags: { mount?: string; versions: string[] }) => {
        const versions = parseVersions(flags.versions);
        if (versions.length === 0) throw usageError(`No versions provided, use the "-versions" flag to specify the version to ${action}.`);
        const { target: t, client } = await target(ctx, path, flags.mount);
        requireV2(t, action === 'undelete' ? 'Undelete' : 'Destroy');
        const fullPath = kvApiPath(t, action);
        await remote(`writing data to ${fullPath}`, () => client.kv(t.mount)[action](t.path, versions));
        ctx.output().written(fullPath);
      });
  }

  kv.command('list')
    .description('List the keys under a path (folders end in /)')
    .argument('<path>', 'folder path, e.g. secret/ or secret/app')
    .option('--mount <mount>', 'the KV mount; the path is then relative to it')
    .action(async (path: string, flags: { mount?: string }) => {
      const out = ctx.output();
      const { target: t, client } = await target(ctx, path, flags.mount);
      const fullPath = kvApiPath(t, 'metadata');
      const keys = await remote(`listing ${fullPath}`, async () =>
        t.version === 2 ? client.kv(t.mount).list(t.path) : ((await client.list(fullPath))?.data?.keys ?? []));
      if (keys.length === 0) throw new CliExit(EXIT_REMOTE, `No value found at ${fullPath}`);
      out.list(keys);
    });

  registerKvMetadata(kv, ctx);
}
