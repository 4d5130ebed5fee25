/** `sealtrail policy write | read | list | delete` — ACL policies at sys/policies/acl/<name>. */
import type { Command } from 'commander';
import { SealtrailApiError } from '../../sdk/index.js';
import type { CliContext } from '../context.js';
import { CliExit, EXIT_REMOTE, remote, textList, wrongAnswer } from '../failure.js';
import { MAX_REQUEST_INPUT_BYTES, readInputText } from '../input-limits.js';
import { printable, printableText } from '../printable.js';

export function registerPolicy(program: Command, ctx: CliContext): void {
  const policy = program.command('policy').description('Manage ACL policies');

  policy
    .command('write')
    .description('Upload a policy from a file, or from stdin with "-"')
    .argument('<name>', 'policy name')
    .argument('<file>', 'HCL or JSON policy file, or "-" for stdin')
    .action(async (name: string, file: string) => {
      const text = await readInputText(ctx.io, file, MAX_REQUEST_INPUT_BYTES);
      const client = await ctx.client();
      await remote('uploading policy', () => client.sys.policies.write(name, text));
      ctx.output().line(`Success! Uploaded policy: ${name}`);
    });

  policy
    .command('read')
    .description('Print a policy\'s text')
    .argument('<name>', 'policy name')
    .action(async (name: string) => {
      const out = ctx.output();
      const client = await ctx.client();
      const found = await remote('reading policy named ' + name, async () => {
        let read;
        try {
          read = await client.sys.policies.read(name);
        } catch (err) {
          if (err instanceof SealtrailApiError && err.status === 404) return undefined;
          throw err;
        }
        if (typeof read.policy !== 'string') throw wrongAnswer('has no policy text');
        return read;
      });
      if (!found) throw new CliExit(EXIT_REMOTE, `No policy named: ${name}`);
      if (out.format === 'json') out.json(found);
      // The policy's text as written, but nothing a terminal would act on (its comments are anyone's).
      else out.line(printableText(found.policy.trim()));
    });

  policy
    .command('list')
    .description('List the policy names')
    .action(async () => {
      const out = ctx.output();
      const client = await ctx.client();
      const names = await remote('listing policies', async () => textList(await client.sys.policies.list(), 'policy names'));
      if (out.format === 'json') out.json(names);
      else for (const name of names) out.line(printable(name));
    });

  policy
    .command('delete')
    .description('Delete a policy')
    .argument('<name>', 'policy name')
    .action(async (name: string) => {
      const client = await ctx.client();
      await remote(`deleting ${name}`, () => client.sys.policies.delete(name));
      ctx.output().line(`Success! Deleted policy: ${name}`);
    });
}
