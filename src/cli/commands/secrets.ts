/** `sealtrail secrets enable | disable | list | tune` — secrets engines at sys/mounts. */
import type { Command } from 'commander';
import type { MountInput } from '../../sdk/index.js';
import type { CliContext } from '../context.js';
import { remote, usageError } from '../failure.js';
import { mountPathOf } from '../flags.js';
import { addMountConfigFlags, mountConfigFrom, mountOptionsFrom, mountTable, type MountConfigFlags } from './mount-flags.js';

interface EnableFlags extends MountConfigFlags {
  path?: string;
  local?: boolean;
  sealWrap?: boolean;
  version?: string;
}

export function registerSecrets(program: Command, ctx: CliContext): void {
  const secrets = program.command('secrets').description('Manage secrets engines');

  addMountConfigFlags(
    secrets
      .command('enable')
      .description('Enable a secrets engine (at <type>/ unless -path is given)')
      .argument('<type>', 'engine type, e.g. kv (or kv-v2)')
      .option('--path <path>', 'mount path (default: the type)')
      .option('--local', 'do not replicate this mount')
      .option('--seal-wrap', 'seal-wrap the engine\'s storage')
      .option('--version <n>', 'engine version; for kv, sets options.version'),
  ).action(async (type: string, flags: EnableFlags) => {
    // vault: "kv-v2" is the kv engine with options.version=2
    const engine = type === 'kv-v2' ? 'kv' : type;
    const options = { ...(type === 'kv-v2' ? { version: '2' } : {}), ...((await mountOptionsFrom(flags, ctx.io)) ?? {}) };
    if (flags.version !== undefined) options.version = flags.version;
    const path = mountPathOf(flags.path ?? type);
    const input: MountInput = { type: engine };
    if (flags.description !== undefined) input.description = flags.description;
    const config = mountConfigFrom(flags);
    if (Object.keys(config).length > 0) input.config = config;
    if (Object.keys(options).length > 0) input.options = options;
    if (flags.local) input.local = true;
    if (flags.sealWrap) input.seal_wrap = true;
    const client = await ctx.client();
    await remote(`enabling secrets engine at ${path}`, () => client.sys.mounts.enable(path, input));
    ctx.output().line(`Success! Enabled the ${type} secrets engine at: ${path}`);
  });

  secrets
    .command('disable')
    .description('Disable a secrets engine; its data is deleted')
    .argument('<path>', 'mount path')
    .action(async (raw: string) => {
      const path = mountPathOf(raw);
      const client = await ctx.client();
      await remote(`disabling secrets engine at ${path}`, () => client.sys.mounts.disable(path));
      ctx.output().line(`Success! Disabled the secrets engine (if it existed) at: ${path}`);
    });

  secrets
    .command('list')
    .description('List the enabled secrets engines')
    .option('--detailed', 'show TTLs, replication, options and audit key settings')
    .action(async (flags: { detailed?: boolean }) => {
      const out = ctx.output();
      const client = await ctx.client();
      const mounts = await remote('listing secrets engines', () => client.sys.mounts.list());
      if (out.format === 'json') out.json(mounts);
      else out.line(mountTable(mounts, flags.detailed === true));
    });

  addMountConfigFlags(
    secrets
      .command('tune')
      .description('Tune a secrets engine\'s configuration')
      .argument('<path>', 'mount path'),
  ).action(async (raw: string, flags: MountConfigFlags) => {
    const path = mountPathOf(raw);
    const body = mountConfigFrom(flags);
    if (flags.description !== undefined) body.description = flags.description;
    const options = await mountOptionsFrom(flags, ctx.io);
    if (options) body.options = options;
    if (Object.keys(body).length === 0) throw usageError('nothing to tune: give at least one flag, e.g. -max-lease-ttl=1h');
    const client = await ctx.client();
    await remote(`tuning secrets engine ${path}`, () => client.sys.mounts.tune(path, body));
    ctx.output().line(`Success! Tuned the secrets engine at: ${path}`);
  });
}
