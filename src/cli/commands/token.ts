/**
 * `sealtrail token create | lookup | renew | revoke`. Only `create` prints a token (its purpose):
 * lookup output leaves out `id` and renew output leaves out `auth.client_token`, which vault shows.
 */
import type { Command } from 'commander';
import type { TokenCreateRequest, VaultResponse } from '../../sdk/index.js';
import type { CliContext } from '../context.js';
import { CliExit, EXIT_LOCAL, remote, usageError } from '../failure.js';
import { collect, parseIntFlag } from '../flags.js';
import { parseStringMap } from '../kv-builder.js';
import { printField } from '../output.js';
import { printable } from '../printable.js';

/** The response without the token id (lookup) and without a re-issued client token (renew). */
export function withoutTokenSecrets<T>(envelope: VaultResponse<T>): VaultResponse<T> {
  const copy: VaultResponse<T> = { ...envelope };
  if (copy.data && typeof copy.data === 'object' && 'id' in copy.data) {
    const { id: _omitted, ...rest } = copy.data as Record<string, unknown>;
    copy.data = rest as T;
  }
  if (copy.auth) copy.auth = { ...copy.auth, client_token: '' };
  return copy;
}

interface CreateFlags {
  id?: string; displayName?: string; ttl?: string; explicitMaxTtl?: string; period?: string; policy: string[];
  metadata: string[]; orphan?: boolean; defaultPolicy: boolean; renewable: boolean; useLimit?: string; type?: string; field?: string;
}

interface RevokeFlags { accessor?: boolean; self?: boolean; mode?: string }

/** vault token revoke's rules for combining -self, -accessor and -mode. */
function checkRevokeFlags(arg: string | undefined, flags: RevokeFlags): void {
  if (flags.mode !== undefined && flags.mode !== 'orphan' && flags.mode !== 'path') throw usageError(`Invalid mode "${flags.mode}": expected orphan or path`);
  if (flags.self && flags.accessor) throw usageError('Cannot use -self flag with -accessor flag');
  if (flags.self && flags.mode !== undefined) throw usageError('Cannot use -self flag with -mode flag');
  if (flags.accessor && flags.mode !== undefined) throw usageError(`Cannot use -accessor flag with -mode=${flags.mode}`);
  if (flags.self && arg !== undefined) throw usageError('-self takes no token argument');
  if (!flags.self && arg === undefined) throw usageError('Not enough arguments (expected 1, got 0)');
}

export function registerToken(program: Command, ctx: CliContext): void {
  const token = program.command('token').description('Create, look up, renew and revoke tokens');

  token
    .command('create')
    .description('Create a token (a child of the current token unless -orphan)')
    .option('--id <id>', 'the token id (root only)')
    .option('--display-name <name>', 'a name shown in audit logs')
    .option('--ttl <duration>', 'initial TTL, e.g. 1h')
    .option('--explicit-max-ttl <duration>', 'hard maximum lifetime')
    .option('--period <duration>', 'periodic token renewal period')
    .option('--policy <name>', 'a policy to attach (repeatable)', collect, [])
    .option('--metadata <key=value>', 'metadata to attach (repeatable)', collect, [])
    .option('--orphan', 'create the token with no parent')
    .option('--no-default-policy', 'do not attach the default policy')
    .option('--no-renewable', 'make the token non-renewable')
    .option('--use-limit <n>', 'number of uses before the token is revoked')
    .option('--type <type>', 'service or batch')
    .option('--field <name>', 'print only this field (e.g. token)')
    .action(async (flags: CreateFlags) => {
      const out = ctx.output();
      const request: TokenCreateRequest = {};
      if (flags.id) request.id = flags.id;
      if (flags.displayName) request.display_name = flags.displayName;
      if (flags.ttl) request.ttl = flags.ttl;
      if (flags.explicitMaxTtl) request.explicit_max_ttl = flags.explicitMaxTtl;
      if (flags.period) request.period = flags.period;
      if (flags.policy.length > 0) request.policies = flags.policy;
      if (flags.metadata.length > 0) request.meta = await parseStringMap(flags.metadata, ctx.io);
      if (flags.orphan) request.no_parent = true;
      if (!flags.defaultPolicy) request.no_default_policy = true;
      if (!flags.renewable) request.renewable = false;
      if (flags.useLimit !== undefined) request.num_uses = parseIntFlag('use-limit', flags.useLimit);
      if (flags.type) {
        if (flags.type !== 'service' && flags.type !== 'batch') throw usageError('-type must be "service" or "batch"');
        request.type = flags.type;
      }
      const client = await ctx.client();
      const created = await remote('creating token', () => client.token.create(request));
      if (flags.field) return printField(out, created, flags.field, ctx.io.stdoutIsTty);
      out.secret(created, { showToken: true });
    });

  token
    .command('lookup')
    .description('Show a token\'s properties (the current token when none is given)')
    .argument('[token]', 'the token (or, with -accessor, its accessor)')
    .option('--accessor', 'the argument is an accessor')
    .option('--field <name>', 'print only this field')
    .action(async (arg: string | undefined, flags: { accessor?: boolean; field?: string }) => {
      const out = ctx.output();
      if (flags.accessor && arg === undefined) throw usageError('Not enough arguments (expected 1 with -accessor, got 0)');
      const client = await ctx.client();
      const found = await remote('looking up token', () =>
        flags.accessor ? client.token.lookupAccessor(arg as string) : arg !== undefined ? client.token.lookup(arg) : client.token.lookupSelf());
      const shown = withoutTokenSecrets(found);
      if (flags.field) return printField(out, shown, flags.field, ctx.io.stdoutIsTty);
      out.secret(shown);
    });

  token
    .command('renew')
    .description('Renew a token\'s lease (the current token when none is given)')
    .argument('[token]', 'the token to renew (or, with -accessor, its accessor)')
    .option('--accessor', 'the argument is an accessor')
    .option('--increment <duration>', 'requested new TTL, e.g. 1h')
    .action(async (arg: string | undefined, flags: { accessor?: boolean; increment?: string }) => {
      const client = await ctx.client();
      const renew = () => {
        if (arg === undefined) return client.token.renewSelf(flags.increment);
        return flags.accessor ? client.token.renewAccessor(arg, flags.increment) : client.token.renew(arg, flags.increment);
      };
      const renewed = await remote('renewing token', renew);
      ctx.output().secret(withoutTokenSecrets(renewed));
    });

  token
    .command('capabilities')
    .description('Show the capabilities of a token on a path (the current token when only the path is given)')
    .argument('<tokenOrPath>', 'the token (or, with -accessor, its accessor), or the path alone')
    .argument('[path]', 'the path, when a token is given')
    .option('--accessor', 'the token argument is an accessor')
    .action(async (first: string, second: string | undefined, flags: { accessor?: boolean }) => {
      const [who, path] = second === undefined ? [undefined, first] : [first, second];
      if (flags.accessor && who === undefined) throw usageError('Not enough arguments (expected 2 with -accessor, got 1)');
      const out = ctx.output();
      const client = await ctx.client();
      const found = await remote('listing capabilities', () => {
        if (who === undefined) return client.sys.capabilitiesSelf(path);
        return flags.accessor ? client.sys.capabilitiesAccessor(who, path) : client.sys.capabilities(who, path);
      });
      const capabilities = found[path] ?? found.capabilities;
      if (!Array.isArray(capabilities) || capabilities.length === 0) throw new CliExit(EXIT_LOCAL, 'No capabilities found');
      if (out.format === 'json') return out.json(capabilities);
      out.line(printable([...capabilities].map(String).sort().join(', ')));
    });

  token
    .command('revoke')
    .description('Revoke a token and its children')
    .argument('[token]', 'the token (or, with -accessor, its accessor)')
    .option('--accessor', 'the argument is an accessor')
    .option('--self', 'revoke the current token')
    .option('--mode <mode>', 'orphan: revoke the token only, its children become orphans (needs sudo); path: revoke by lease prefix')
    .action(async (arg: string | undefined, flags: RevokeFlags) => {
      checkRevokeFlags(arg, flags);
      const client = await ctx.client();
      const given = arg as string;
      const revoke = async (): Promise<void> => {
        if (flags.self) return client.token.revokeSelf();
        if (flags.accessor) return client.token.revokeAccessor(given);
        if (flags.mode === 'orphan') return client.token.revokeOrphan(given);
        if (flags.mode === 'path') return void (await client.write(`sys/leases/revoke-prefix/${given}`, {}));
        return client.token.revoke(given);
      };
      await remote('revoking token', revoke);
      ctx.output().line('Success! Revoked token (if it existed)');
    });
}
