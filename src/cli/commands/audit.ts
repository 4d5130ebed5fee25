/**
 * `sealtrail audit enable | disable | list` with vault's argument style:
 *   sealtrail audit enable file file_path=/var/log/sealtrail/audit.log
 *   sealtrail audit enable -path=siem socket address=10.0.0.5:9090 socket_type=tcp
 * Device options are key=value pairs after the type (key=@file and key=- work as everywhere).
 */
import type { Command } from 'commander';
import type { AuditDevice, AuditEnableInput } from '../../sdk/index.js';
import type { CliContext } from '../context.js';
import { CliExit, EXIT_REMOTE, remote } from '../failure.js';
import { mountPathOf } from '../flags.js';
import { parseStringMap } from '../kv-builder.js';
import { tableOutput } from '../table.js';

/** vault's `audit list` tables, sorted by path; options as sorted `k=v` words. */
export function auditTable(devices: Record<string, AuditDevice>, detailed: boolean): string {
  const paths = Object.keys(devices).sort();
  if (!detailed) return tableOutput(['Path', 'Type', 'Description'], paths.map((p) => [p, devices[p].type, devices[p].description]));
  return tableOutput(
    ['Path', 'Type', 'Description', 'Replication', 'Options'],
    paths.map((p) => {
      const d = devices[p];
      const options = Object.keys(d.options ?? {}).sort().map((k) => `${k}=${d.options?.[k]}`).join(' ');
      return [p, d.type, d.description, d.local ? 'local' : 'replicated', options];
    }),
  );
}

export function registerAudit(program: Command, ctx: CliContext): void {
  const audit = program.command('audit').description('Manage audit devices');

  audit
    .command('enable')
    .description('Enable an audit device (at <type>/ unless -path is given)')
    .argument('<type>', 'device type: file, socket, syslog, relp or http')
    .argument('[options...]', 'device options as key=value, e.g. file_path=/var/log/sealtrail/audit.log')
    .option('--path <path>', 'where to enable the device (default: the type)')
    .option('--description <text>', 'human-friendly description')
    .option('--local', 'do not replicate this device')
    .action(async (type: string, args: string[], flags: { path?: string; description?: string; local?: boolean }) => {
      const options = await parseStringMap(args, ctx.io);
      const path = mountPathOf(flags.path ?? type);
      const input: AuditEnableInput = { type, options };
      if (flags.description !== undefined) input.description = flags.description;
      if (flags.local) input.local = true;
      const client = await ctx.client();
      await remote('enabling audit device', () => client.sys.audit.enable(path, input));
      ctx.output().line(`Success! Enabled the ${type} audit device at: ${path}`);
    });

  audit
    .command('disable')
    .description('Disable an audit device')
    .argument('<path>', 'the device path, e.g. file/')
    .action(async (raw: string) => {
      const path = mountPathOf(raw);
      const client = await ctx.client();
      await remote('disabling audit device', () => client.sys.audit.disable(path));
      ctx.output().line(`Success! Disabled audit device (if it was enabled) at: ${path}`);
    });

  audit
    .command('list')
    .description('List the enabled audit devices')
    .option('--detailed', 'show replication and options')
    .action(async (flags: { detailed?: boolean }) => {
      const out = ctx.output();
      const client = await ctx.client();
      const devices = await remote('listing audits', () => client.sys.audit.list());
      if (out.format === 'json') return out.json(devices);
      // vault answers "none" with exit 2 so scripts can test for it
      if (Object.keys(devices).length === 0) {
        out.line('No audit devices are enabled.');
        throw new CliExit(EXIT_REMOTE);
      }
      out.line(auditTable(devices, flags.detailed === true));
    });
}
