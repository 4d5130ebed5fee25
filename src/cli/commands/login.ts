/**
 * `sealtrail login [token]`: checks the token (auth/token/lookup-self) and stores it in
 * ~/.sealtrail-token. As in vault, SEALTRAIL_TOKEN / VAULT_TOKEN still win over the stored file,
 * so login warns when one is set. Unlike vault, the token itself is not echoed back.
 */
import type { Command } from 'commander';
import { tokenEnvName, type AuthInfo, type TokenLookupData, type VaultResponse } from '../../sdk/index.js';
import type { CliContext } from '../context.js';
import { remote, RemoteAnswerError, usageError } from '../failure.js';
import { MAX_TOKEN_INPUT_BYTES, readStdinText } from '../input-limits.js';
import { storeToken, tokenFilePath } from '../token-store.js';

/** The lookup-self answer shaped as the `auth` block vault's login prints. */
export function authFromLookup(data: TokenLookupData): AuthInfo {
  const identity = data.identity_policies ?? [];
  const tokenPolicies = data.policies ?? [];
  return {
    client_token: '',
    accessor: data.accessor,
    policies: [...new Set([...tokenPolicies, ...identity])],
    token_policies: tokenPolicies,
    identity_policies: identity,
    metadata: data.meta ?? null,
    lease_duration: data.ttl ?? 0,
    renewable: data.renewable === true,
    entity_id: data.entity_id ?? '',
    token_type: data.type ?? 'service',
    orphan: data.orphan === true,
  };
}

export function registerLogin(program: Command, ctx: CliContext): void {
  program
    .command('login')
    .description('Authenticate with a token and store it in ~/.sealtrail-token')
    .argument('[token]', 'the token; omit it (or give "-") to read it from stdin')
    .option('--no-print', 'do not print the token information, only the success line')
    .action(async (arg: string | undefined, flags: { print: boolean }) => {
      const out = ctx.output();
      let token = arg;
      if (token === undefined || token === '-') {
        if (ctx.io.stdinIsTty) throw usageError('a token is required: sealtrail login <token>, or pipe it on stdin');
        token = (await readStdinText(ctx.io, MAX_TOKEN_INPUT_BYTES)).trim();
      }
      if (token === '') throw usageError('a token is required');

      const client = (await ctx.anonymousClient()).withToken(token);
      const lookup = await remote('authenticating', () => client.token.lookupSelf());
      // Nothing is stored on an answer that says nothing about the token.
      if (lookup.data === null || typeof lookup.data !== 'object') throw new RemoteAnswerError('Error authenticating: the server\'s lookup-self answer has no token data');
      try {
        await storeToken(ctx.io.homeDir, token);
      } catch (err) {
        throw usageError(`Error storing the token in ${tokenFilePath(ctx.io.homeDir)}: ${(err as NodeJS.ErrnoException).code ?? 'write failed'}`);
      }

      const envName = tokenEnvName(ctx.io.env);
      if (envName) {
        out.error(`WARNING! The ${envName} environment variable is set! Its value takes precedence over the`);
        out.error(`stored token; if this is unwanted, unset ${envName} or update its value.\n`);
      }
      const auth = authFromLookup(lookup.data as TokenLookupData);
      const shown: VaultResponse<null> = { ...lookup, data: null, auth };
      if (out.format === 'json') {
        out.json(shown);
        return;
      }
      out.line('Success! You are now authenticated. The token is stored in ' + tokenFilePath(ctx.io.homeDir) + '; you do');
      out.line('NOT need to run "sealtrail login" again. Future requests will use this token.');
      if (flags.print) {
        out.line();
        out.secret(shown);
      }
    });
}
