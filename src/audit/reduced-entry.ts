/**
 * The entry a network device sends in place of one over its receiver's limit (`max_entry_bytes`):
 * the same entry without the parts a caller or a secret's size can make large — the request's data
 * and audited headers, the response's data and warnings, token metadata — and with a top-level
 * `elided` object giving the full entry's size in bytes. A read of a large secret, or a request
 * padded with parameters or metadata, still reaches the receiver as who did what to which path,
 * when, from where and with what outcome; the full entry is on the devices that took it (the file
 * device, the journal), found by its request id. Only when even this is over the limit does the
 * device fail the entry.
 */
import type { VaultEntry } from './entry.js';
import type { AuditInput } from './model.js';

/** `input` without request data, audited headers, response data and warnings, or token metadata. */
export function reducedInput(input: AuditInput): AuditInput {
  const { response } = input;
  const noMetadata = <T extends { metadata: Record<string, string> }>(a: T | undefined): T | undefined => (a ? { ...a, metadata: {} } : undefined);
  return {
    ...input,
    request: { ...input.request, data: {} },
    token: input.token ? { ...input.token, meta: {} } : undefined,
    issuedAuth: noMetadata(input.issuedAuth),
    response: response
      ? { ...response, data: undefined, auditData: undefined, warnings: undefined, issuedAuth: noMetadata(response.issuedAuth) }
      : undefined,
    auditedHeaders: undefined,
    // The request block a device keeps per request is the full entry's.
    shared: undefined,
  };
}

/** What `elided` records. */
const elided = (fullBytes: number) => ({ entry_bytes: fullBytes });

/** A Vault JSON line (`{…}\n`, after any prefix) with `elided` as its last member. */
export function markJsonLine(line: string, fullBytes: number): string {
  return `${line.slice(0, line.lastIndexOf('}'))},"elided":${JSON.stringify(elided(fullBytes))}}\n`;
}

/** A JSONx entry object with `elided` among its members. */
export function markEntry(entry: VaultEntry, fullBytes: number): VaultEntry & { elided: ReturnType<typeof elided> } {
  return { ...entry, elided: elided(fullBytes) };
}

/** The reduced line of an entry whose full line is `fullBytes` long (a device's `format`, reduced and marked). */
export type ReducedLine = (fullBytes: number) => string;
