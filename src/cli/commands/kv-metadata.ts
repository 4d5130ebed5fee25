/** `sealtrail kv metadata get | put | delete` — KV v2 metadata (all versions of one secret). */
import type { Command } from 'commander';
import type { KvMetadata, KvMetadataInput } from '../../sdk/index.js';
import type { CliContext } from '../context.js';
import { CliExit, EXIT_REMOTE, remote, usageError } from '../failure.js';
import { collect, parseIntOrUnset } from '../flags.js';
import { parseStringMap } from '../kv-builder.js';
import { kvApiPath } from '../kv-target.js';
import { printMapSection, printPathHeader, requireV2, target } from './kv-shared.js';

interface PutFlags {
  mount?: string;
  maxVersions?: string;
  casRequired?: boolean;
  deleteVersionAfter?: string;
  customMetadata: string[];
}

export function registerKvMetadata(kv: Command, ctx: CliContext): void {
  const metadata = kv.command('metadata').description('Read and change a secret\'s metadata');

  metadata
    .command('get')
    .description('Show a secret\'s metadata and every version\'s state')
    .argument('<path>', 'secret path')
    .option('--mount <mount>', 'the KV mount; the path is then relative to it')
    .action(async (path: string, flags: { mount?: string }) => {
      const out = ctx.output();
      const { target: t, client } = await target(ctx, path, flags.mount);
      requireV2(t, 'Metadata');
      const fullPath = kvApiPath(t, 'metadata');
      const found = await remote(`reading ${fullPath}`, () => client.kv(t.mount).metadata.get(t.path));
      if (!found?.data) throw new CliExit(EXIT_REMOTE, `No value found at ${fullPath}`);
      if (out.format === 'json') return out.secret(found);
      const { versions, ...rest } = found.data as KvMetadata;
      printPathHeader(out, 'Metadata Path', fullPath);
      printMapSection(out, 'Metadata', rest);
      const numbers = Object.keys(versions ?? {}).map(Number).sort((a, b) => a - b);
      for (const n of numbers) {
        out.line();
        printMapSection(out, `Version ${n}`, versions[String(n)]);
      }
    });

  metadata
    .command('put')
    .description('Change a secret\'s metadata (max versions, check-and-set, auto-delete, custom metadata)')
    .argument('<path>', 'secret path')
    .option('--mount <mount>', 'the KV mount; the path is then relative to it')
    .option('--max-versions <n>', 'versions to keep (0: the mount default)')
    .option('--cas-required', 'require check-and-set on writes')
    .option('--no-cas-required', 'do not require check-and-set')
    .option('--delete-version-after <duration>', 'delete versions this long after they are written, e.g. 720h')
    .option('--custom-metadata <key=value>', 'custom metadata (repeatable); replaces the existing set', collect, [])
    .action(async (path: string, flags: PutFlags) => {
      const input: KvMetadataInput = {};
      const maxVersions = parseIntOrUnset('max-versions', flags.maxVersions);
      if (maxVersions !== undefined) input.max_versions = maxVersions;
      if (flags.casRequired !== undefined) input.cas_required = flags.casRequired;
      if (flags.deleteVersionAfter !== undefined) input.delete_version_after = flags.deleteVersionAfter;
      if (flags.customMetadata.length > 0) input.custom_metadata = await parseStringMap(flags.customMetadata, ctx.io);
      if (Object.keys(input).length === 0) throw usageError('nothing to write: give at least one flag, e.g. -max-versions=5');
      const { target: t, client } = await target(ctx, path, flags.mount);
      requireV2(t, 'Metadata');
      const fullPath = kvApiPath(t, 'metadata');
      await remote(`writing data to ${fullPath}`, () => client.kv(t.mount).metadata.put(t.path, input));
      ctx.output().written(fullPath);
    });

  metadata
    .command('delete')
    .description('Delete a secret: its metadata and every version')
    .argument('<path>', 'secret path')
    .option('--mount <mount>', 'the KV mount; the path is then relative to it')
    .action(async (path: string, flags: { mount?: string }) => {
      const { target: t, client } = await target(ctx, path, flags.mount);
      requireV2(t, 'Metadata');
      const fullPath = kvApiPath(t, 'metadata');
      await remote(`deleting ${fullPath}`, () => client.kv(t.mount).metadata.delete(t.path));
      ctx.output().line(`Success! Data deleted (if it existed) at: ${fullPath}`);
    });
}
