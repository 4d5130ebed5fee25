/**
 * What a journal record is about, for the timeline's marks: derived from the record's kind and,
 * for Vault-format entries, its path and operation.
 */
export type Mark = 'attestation' | 'token' | 'secret' | 'kms' | 'capsule' | 'control' | 'server' | 'other';

export const MARK_LABELS: Record<Mark, string> = {
  attestation: 'Attestation',
  token: 'Token',
  secret: 'Secret access',
  kms: 'KMS call',
  capsule: 'Capsule access',
  control: 'Control change',
  server: 'Server event',
  other: 'Other',
};

/** The journal's record kinds (the `kind` filter of the journal API). */
export const JOURNAL_KINDS = ['vault-request', 'vault-response', 'cloudtrail', 'attestation', 'capsule-access', 'capsule-control', 'server'] as const;

export interface Classifiable {
  readonly kind: string;
  readonly path?: string | null;
  readonly operation?: string | null;
}

const WRITES = new Set(['create', 'update', 'delete', 'patch']);

export function classify(r: Classifiable): Mark {
  switch (r.kind) {
    case 'attestation': return 'attestation';
    case 'cloudtrail': return 'kms';
    case 'capsule-access': return 'capsule';
    case 'capsule-control': return 'control';
    case 'server': return 'server';
    case 'vault-request':
    case 'vault-response': return classifyPath(r.path ?? '', r.operation ?? '');
    default: return 'other';
  }
}

function classifyPath(path: string, operation: string): Mark {
  if (path.startsWith('auth/apm/') && path.includes('/attest/')) return 'attestation';
  if (path.startsWith('auth/')) return 'token';
  if (path.startsWith('kms/')) return 'kms';
  if (path.startsWith('capsule/')) return 'capsule';
  if (path.startsWith('sys/')) return WRITES.has(operation) ? 'control' : 'other';
  return path === '' ? 'other' : 'secret';
}

/** The outcome mark: success, failure, or none recorded. */
export function outcomeOf(outcome: string | null | undefined): 'success' | 'failure' | 'none' {
  return outcome === 'success' || outcome === 'failure' ? outcome : 'none';
}
