/** `sealtrail auth enable | disable | list | tune` — auth methods at sys/auth. */
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
}

export function registerAuth(program: Command, ctx: CliContext): void {
  const auth = program.command('auth').description('Manage auth methods');

  addMountConfigFlags(
    auth
      .command('enable')
      .description('Enable an auth method (at <type>/ unless -path is given)')
      .argument('<type>', 'auth method type, e.g. apm')
      .option('--path <path>', 'mount path under auth/ (default: the type)')
      .option('--local', 'do not replicate this mount')
      .option('--seal-wrap', 'seal-wrap the method\'s storage'),
  ).action(async (type: string, flags: EnableFlags) => {
    const path = mountPathOf(flags.path ?? type);
    const input: MountInput = { type };
    if (flags.description !== undefined) input.description = flags.description;
    const config = mountConfigFrom(flags);
    if (Object.keys(config).length > 0) input.config = config;
    const options = await mountOptionsFrom(flags, ctx.io);
    if (options) input.options = options;
    if (flags.local) input.local = true;
    if (flags.sealWrap) input.seal_wrap = true;
    const client = await ctx.client();
    await remote(`enabling ${type} auth`, () => client.sys.auth.enable(path, input));
    ctx.output().line(`Success! Enabled ${type} auth method at: ${path}`);
  });

  addMountGroupCommands(auth, ctx, {
    api: (client) => client.sys.auth,
    noun: 'auth method',
    pathHelp: 'mount path under auth/',
    disableHelp: 'Disable an auth method; its tokens are revoked',
    listHelp: 'List the enabled auth methods',
    listDoing: 'listing enabled auth methods',
    tuneHelp: 'Tune an auth method\'s configuration',
    tuneExample: '-audit-non-hmac-response-keys=correlation_id',
  });
}
