/** Helpers shared by the kv and kv metadata commands: target resolution and vault's section layout. */
import type { KvVersionMetadata, SealtrailClient, VaultResponse } from '../../sdk/index.js';
import type { CliContext } from '../context.js';
import { CliExit, EXIT_LOCAL, remote } from '../failure.js';
import { resolveKvTarget, type KvTarget } from '../kv-target.js';
import { mapTable, type Output } from '../output.js';
import { headerForMap, padEqualSigns } from '../table.js';

/** vault's outputPath: `== Secret Path ==`, the path, a blank line. */
export function printPathHeader(out: Output, title: string, path: string): void {
  out.line(padEqualSigns(title, path.length));
  out.line(path);
  out.line();
}

/** A titled map section: `======= Metadata =======` then its Key/Value table. */
export function printMapSection(out: Output, title: string, data: Record<string, unknown>): void {
  out.line(headerForMap(title, data));
  const table = mapTable(data);
  if (table !== '') out.line(table);
}

/** What `kv put`, `kv patch` and `kv rollback` print: the path and the new version's metadata. */
export function printWrittenVersion(out: Output, fullPath: string, written: VaultResponse<KvVersionMetadata>): void {
  if (out.format === 'json') return out.secret(written);
  printPathHeader(out, 'Secret Path', fullPath);
  printMapSection(out, 'Metadata', (written.data ?? {}) as unknown as Record<string, unknown>);
}

/** Resolves the mount and KV version of a path (one preflight request). */
export async function target(ctx: CliContext, path: string, mount: string | undefined): Promise<{ target: KvTarget; client: SealtrailClient }> {
  const client = await ctx.client();
  const t = await remote('reading the mount of ' + path, () => resolveKvTarget(client, path, mount));
  return { target: t, client };
}

/** Commands that exist only for KV v2 refuse a v1 mount, as vault does (exit 1). */
export function requireV2(t: KvTarget, what: string): void {
  if (t.version !== 2) throw new CliExit(EXIT_LOCAL, `${what} not supported on KV Version 1`);
}

