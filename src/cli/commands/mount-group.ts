/**
 * The `disable`, `list` and `tune` subcommands shared by `sealtrail secrets` (sys/mounts) and
 * `sealtrail auth` (sys/auth): the same API shape, each group with its own wording.
 */
import type { Command } from 'commander';
import type { MountsApi, SealtrailClient } from '../../sdk/index.js';
import type { CliContext } from '../context.js';
import { remote, usageError } from '../failure.js';
import { mountPathOf } from '../flags.js';
import { addMountConfigFlags, mountConfigFrom, mountOptionsFrom, mountTable, type MountConfigFlags } from './mount-flags.js';

export interface MountGroupSpec {
  /** Which mount table: the client's sys.mounts or sys.auth. */
  api: (client: SealtrailClient) => MountsApi;
  /** "secrets engine" / "auth method" */
  noun: string;
  pathHelp: string;
  disableHelp: string;
  listHelp: string;
  listDoing: string;
  tuneHelp: string;
  tuneExample: string;
}

export function addMountGroupCommands(group: Command, ctx: CliContext, spec: MountGroupSpec): void {
  group
    .command('disable')
    .description(spec.disableHelp)
    .argument('<path>', spec.pathHelp)
    .action(async (raw: string) => {
      const path = mountPathOf(raw);
      const client = await ctx.client();
      await remote(`disabling ${spec.noun} at ${path}`, () => spec.api(client).disable(path));
      ctx.output().line(`Success! Disabled the ${spec.noun} (if it existed) at: ${path}`);
    });

  group
    .command('list')
    .description(spec.listHelp)
    .option('--detailed', 'show TTLs, replication, options and audit key settings')
    .action(async (flags: { detailed?: boolean }) => {
      const out = ctx.output();
      const client = await ctx.client();
      const mounts = await remote(spec.listDoing, () => spec.api(client).list());
      if (out.format === 'json') out.json(mounts);
      else out.line(mountTable(mounts, flags.detailed === true));
    });

  addMountConfigFlags(group.command('tune').description(spec.tuneHelp).argument('<path>', spec.pathHelp))
    .action(async (raw: string, flags: MountConfigFlags) => {
      const path = mountPathOf(raw);
      const body = mountConfigFrom(flags);
      if (flags.description !== undefined) body.description = flags.description;
      const options = await mountOptionsFrom(flags, ctx.io);
      if (options) body.options = options;
      if (Object.keys(body).length === 0) throw usageError(`nothing to tune: give at least one flag, e.g. ${spec.tuneExample}`);
      const client = await ctx.client();
      await remote(`tuning ${spec.noun} ${path}`, () => spec.api(client).tune(path, body));
      ctx.output().line(`Success! Tuned the ${spec.noun} at: ${path}`);
    });
}
