/** `sealtrail secrets enable | disable | list | tune` — secrets engines at sys/mounts. */
import type { Command } from 'commander';
import type { MountInput } from '../../sdk/index.js';
import type { CliContext } from '../context.js';
import { remote } from '../failure.js';
import { mountPathOf } from '../flags.js';
import { addMountConfigFlags, mountConfigFrom, mountOptionsFrom, type MountConfigFlags } from './mount-flags.js';
import { addMountGroupCommands } from './mount-group.js';

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

  addMountGroupCommands(secrets, ctx, {
    api: (client) => client.sys.mounts,
    noun: 'secrets engine',
    pathHelp: 'mount path',
    disableHelp: 'Disable a secrets engine; its data is deleted',
    listHelp: 'List the enabled secrets engines',
    listDoing: 'listing secrets engines',
    tuneHelp: 'Tune a secrets engine\'s configuration',
    tuneExample: '-max-lease-ttl=1h',
  });
}
