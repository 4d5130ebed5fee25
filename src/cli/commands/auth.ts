/** `sealtrail auth enable | disable | list | tune` — auth methods at sys/auth. */
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

  auth
    .command('disable')
    .description('Disable an auth method; its tokens are revoked')
    .argument('<path>', 'mount path under auth/')
    .action(async (raw: string) => {
      const path = mountPathOf(raw);
      const client = await ctx.client();
      await remote(`disabling auth method at ${path}`, () => client.sys.auth.disable(path));
      ctx.output().line(`Success! Disabled the auth method (if it existed) at: ${path}`);
    });

  auth
    .command('list')
    .description('List the enabled auth methods')
    .option('--detailed', 'show TTLs, replication, options and audit key settings')
    .action(async (flags: { detailed?: boolean }) => {
      const out = ctx.output();
      const client = await ctx.client();
      const methods = await remote('listing enabled auth methods', () => client.sys.auth.list());
      if (out.format === 'json') out.json(methods);
      else out.line(mountTable(methods, flags.detailed === true));
    });

  addMountConfigFlags(
    auth
      .command('tune')
      .description('Tune an auth method\'s configuration')
      .argument('<path>', 'mount path under auth/'),
  ).action(async (raw: string, flags: MountConfigFlags) => {
    const path = mountPathOf(raw);
    const body = mountConfigFrom(flags);
    if (flags.description !== undefined) body.description = flags.description;
    const options = await mountOptionsFrom(flags, ctx.io);
    if (options) body.options = options;
    if (Object.keys(body).length === 0) throw usageError('nothing to tune: give at least one flag, e.g. -audit-non-hmac-response-keys=correlation_id');
    const client = await ctx.client();
    await remote(`tuning auth method ${path}`, () => client.sys.auth.tune(path, body));
    ctx.output().line(`Success! Tuned the auth method at: ${path}`);
  });
}
