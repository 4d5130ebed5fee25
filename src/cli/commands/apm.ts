/**
 * `sealtrail apm authorize | revoke | list`: APM-style authorization of attested workloads.
 *
 *   sealtrail apm authorize signer  --platform nitro --signer <id> --engine-path secret app/db
 *   sealtrail apm authorize enclave --platform nitro --signer <id> --enclave <id> --engine-path secret app/db
 *   sealtrail apm authorize enclave --platform tdx --signer <mr_owner> --enclave <mr_td> --rtmr1 <hex> --rtmr2 <hex> --engine-path secret app/db
 *
 * A tdx authorization pins at least one of RTMR1-3 besides MRTD: MRTD measures only the firmware,
 * which every TD booted from it shares (docs/attestation.md).
 *
 * Each authorization is one ACL policy (read on `<engine>/data/<secret>`) plus one role of the
 * `apm` auth method mapping the signer (and enclave) to it, both named after the authorization
 * (sdk/apm.ts authorizationName). The policy is written first and deleted last, so a role never
 * points at a missing policy.
 */
import type { Command } from 'commander';
import { apmRoles, authorizationName, authorizationPolicy, normalizeAuthorization, type ApmAuthorization, type TdxWorkloadRtmr } from '../../sdk/index.js';
import type { CliContext } from '../context.js';
import { remote, textList, usageError } from '../failure.js';
import { parseIntFlag } from '../flags.js';
import { tableOutput } from '../table.js';

interface AuthorizationFlags {
  platform: string;
  signer: string;
  enclave?: string;
  rtmr1?: string;
  rtmr2?: string;
  rtmr3?: string;
  enginePath: string;
  mount: string;
  ttl?: string;
  numUses?: string;
}

function authorizationOf(kind: string, secret: string, flags: AuthorizationFlags): ApmAuthorization {
  if (kind !== 'signer' && kind !== 'enclave') throw usageError('the first argument must be "signer" or "enclave"');
  if (kind === 'enclave' && !flags.enclave) throw usageError('--enclave is required to authorize an enclave');
  if (kind === 'signer' && flags.enclave) throw usageError('--enclave applies to "enclave" authorizations only');
  const { rtmr1, rtmr2, rtmr3 } = flags;
  const rtmrs: Partial<Record<TdxWorkloadRtmr, string>> | undefined = rtmr1 || rtmr2 || rtmr3 ? { rtmr1, rtmr2, rtmr3 } : undefined;
  if (rtmrs && flags.platform !== 'tdx') throw usageError('--rtmr1, --rtmr2 and --rtmr3 apply to tdx authorizations only');
  try {
    return normalizeAuthorization({ kind, platform: flags.platform, signerId: flags.signer, enclaveId: flags.enclave, rtmrs, enginePath: flags.enginePath, secretName: secret });
  } catch (err) {
    throw usageError((err as Error).message);
  }
}

function withTarget(cmd: Command): Command {
  return cmd
    .argument('<kind>', '"signer" (any enclave it signs) or "enclave" (one build)')
    .argument('<secret>', 'the secret name inside the KV v2 engine')
    .option('--platform <name>', 'attestation platform', 'nitro')
    .requiredOption('--signer <id>', 'signer id (hex; Nitro: PCR8, TDX: MROWNER)')
    .option('--enclave <id>', 'enclave id (hex; Nitro: PCR0, TDX: MRTD)')
    .option('--rtmr1 <hex>', 'TDX: RTMR1, the kernel or boot loader the firmware starts')
    .option('--rtmr2 <hex>', 'TDX: RTMR2, the kernel command line and initrd')
    .option('--rtmr3 <hex>', 'TDX: RTMR3, what the guest measures of its workload')
    .requiredOption('--engine-path <mount>', 'the KV version 2 mount holding the secret')
    .option('--mount <path>', 'where the apm auth method is mounted', 'apm');
}

export function registerApm(program: Command, ctx: CliContext): void {
  const apm = program.command('apm').description('Authorize attested enclaves to read secrets (Anjuna Policy Manager flow)');

  withTarget(apm.command('authorize').description('Let a signer, or one enclave of it, read a secret'))
    .option('--ttl <duration>', 'TTL of the tokens issued to the enclave, e.g. 1h')
    .option('--num-uses <n>', 'uses of each issued token (0 = unlimited)')
    .option('--bind-to-enclave-key', "Nitro: answer the token only sealed to the attestation document's public_key, so a relay cannot use it")
    .action(async (kind: string, secret: string, flags: AuthorizationFlags & { bindToEnclaveKey?: boolean }) => {
      const a = authorizationOf(kind, secret, flags);
      if (a.platform === 'tdx' && !a.rtmrs) {
        throw usageError('a tdx authorization must pin --rtmr1, --rtmr2 or --rtmr3 as well as the enclave (MRTD measures only the firmware)');
      }
      const name = authorizationName(a);
      const numUses = parseIntFlag('num-uses', flags.numUses);
      const client = await ctx.client();
      await remote('writing policy', () => client.sys.policies.write(name, authorizationPolicy(a)));
      await remote('writing role', () => apmRoles(client, flags.mount).put(name, {
        platform: a.platform,
        signer_id: a.signerId,
        ...(a.enclaveId ? { enclave_id: a.enclaveId } : {}),
        ...a.rtmrs,
        token_policies: [name],
        ...(flags.ttl ? { token_ttl: flags.ttl } : {}),
        ...(numUses !== undefined ? { token_num_uses: numUses } : {}),
        ...(flags.bindToEnclaveKey ? { token_bound_to_enclave_key: true } : {}),
      }));
      ctx.output().line(`Success! Authorized ${a.kind} to read ${a.enginePath}/${a.secretName} (role and policy "${name}")`);
    });

  withTarget(apm.command('revoke').description('Undo an authorization (same arguments as authorize)'))
    .action(async (kind: string, secret: string, flags: AuthorizationFlags) => {
      const name = authorizationName(authorizationOf(kind, secret, flags));
      const client = await ctx.client();
      await remote('deleting role', () => apmRoles(client, flags.mount).delete(name));
      await remote('deleting policy', () => client.sys.policies.delete(name));
      ctx.output().line(`Success! Revoked "${name}" (if it existed)`);
    });

  apm
    .command('list')
    .description('List the roles of the apm auth method')
    .option('--mount <path>', 'where the apm auth method is mounted', 'apm')
    .action(async (flags: { mount: string }) => {
      const out = ctx.output();
      const client = await ctx.client();
      const roles = apmRoles(client, flags.mount);
      const names = await remote('listing roles', async () => textList(await roles.list(), 'role names'));
      const rows = await Promise.all(names.map(async (name) => ({ name, role: await remote('reading role', () => roles.get(name)) })));
      if (out.format === 'json') return out.json(Object.fromEntries(rows.map((r) => [r.name, r.role ?? null])));
      if (rows.length === 0) return out.line('No roles');
      out.line(tableOutput(['Role', 'Platform', 'Signer', 'Enclave', 'Policies'], rows.map(({ name, role }) => [
        name, role?.platform ?? '', role?.signer_id ?? '', role?.enclave_id ?? '*', (role?.token_policies ?? []).join(','),
      ])));
    });
}
