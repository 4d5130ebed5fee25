import { useEffect, useRef, useState } from 'react';
import { ApiError, explainError, type Api } from '../lib/api';
import { toBase64 } from '../lib/bytes';
import { extendsSeen, type LedgerKey } from '../lib/ledger-client';
import { openCheckpoint, parseVerifierKey, type Checkpoint } from '../lib/note';
import { verifyLog, type LogVerdict } from '../lib/verify-log';
import { loadTrust, pinKey, rememberSeen } from '../trustStore';
import { PinnedKey } from '../components/PinnedKey';

type Head = { key: LedgerKey; note: string; checkpoint?: Checkpoint; problem?: string };

/** The ledger: its size, latest checkpoint (signature checked here), verifier key, whole-log check. */
export function LedgerPage({ api }: { api: Api }) {
  const [head, setHead] = useState<Head | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [progress, setProgress] = useState<{ done: number; total: number } | undefined>();
  const [verdict, setVerdict] = useState<LogVerdict | undefined>();
  const cancelled = useRef(false);
  const [pinned, setPinned] = useState<string | undefined>(() => loadTrust().pinnedKey);

  useEffect(() => {
    cancelled.current = false;
    (async () => {
      const [key, note] = await Promise.all([api.json<LedgerKey>('sys/ledger/key'), api.text('sys/ledger/checkpoint')]);
      try {
        setHead({ key, note, checkpoint: await openCheckpoint(note, await parseVerifierKey(key.verifier_key)) });
      } catch (err) {
        setHead({ key, note, problem: (err as Error).message });
      }
    })().catch((err: unknown) => setError(explainError(err)));
    return () => { cancelled.current = true; };
  }, [api]);

  /** The whole log against the signed root, held to what this browser remembers as Verify holds a record. */
  const verifyAll = async () => {
    if (!head?.checkpoint) return;
    const { checkpoint, key } = head;
    setVerdict(undefined);
    const trust = loadTrust();
    if (trust.pinnedKey !== undefined && trust.pinnedKey !== key.verifier_key) {
      setVerdict({ ok: false, reason: 'the server\'s ledger key is not the key pinned in this browser' });
      return;
    }
    const seen = trust.seen?.find((c) => c.key === key.verifier_key);
    let rewritten: string | undefined;
    try {
      rewritten = await extendsSeen(api, seen, checkpoint);
    } catch (err) {
      setVerdict({ ok: false, reason: explainError(err), unchecked: err instanceof ApiError || undefined });
      return;
    }
    if (rewritten) {
      setVerdict({ ok: false, reason: rewritten });
      return;
    }
    setProgress({ done: 0, total: checkpoint.size });
    const result = await verifyLog((path) => api.bytes(`sys/ledger/${path}`), checkpoint.size, checkpoint.root,
      (done, total) => setProgress({ done, total }), () => cancelled.current);
    if (result.ok) rememberSeen({ key: key.verifier_key, size: checkpoint.size, root: toBase64(checkpoint.root) });
    setVerdict(result);
  };

  if (error) return <main className="page"><h1>Ledger</h1><p className="error">{error}</p></main>;
  if (!head) return <main className="page"><h1>Ledger</h1><p>Loading…</p></main>;
  return (
    <main className="page">
      <h1>Ledger</h1>
      <dl className="facts">
        <dt>origin</dt><dd>{head.key.origin}</dd>
        <dt>size</dt><dd>{head.checkpoint?.size ?? '—'}</dd>
        <dt>root</dt><dd className="mono">{head.checkpoint ? toBase64(head.checkpoint.root) : '—'}</dd>
        <dt>signature</dt><dd>{head.checkpoint ? '✓ signed by the log key' : `✗ ${head.problem}`}</dd>
        <dt>verifier key</dt><dd className="mono">{head.key.verifier_key}</dd>
      </dl>
      <PinnedKey serverKey={head.key.verifier_key} pinned={pinned} onPin={(k) => { pinKey(k); setPinned(k); }} />
      <h2>Latest checkpoint</h2>
      <pre className="json">{head.note}</pre>
      <h2>Verify the whole log</h2>
      <p>Fetches every entry bundle, hashes every entry and recomputes the root in this browser.</p>
      <button type="button" onClick={verifyAll} disabled={!head.checkpoint || (progress !== undefined && !verdict)}>Verify the whole log</button>
      {progress && <progress max={Math.max(progress.total, 1)} value={progress.done} aria-label="Entries verified">{progress.done}</progress>}
      {progress && <span> {progress.done} / {progress.total}</span>}
      {verdict?.ok === true && <p className="verdict verdict-ok" data-verdict="ok">✓ all {verdict.size} entries reproduce the signed root</p>}
      {verdict?.ok === false && verdict.unchecked && <p className="verdict verdict-unchecked" data-verdict="unchecked" role="alert">The log could not be checked: {verdict.reason}</p>}
      {verdict?.ok === false && !verdict.unchecked && <p className="verdict verdict-bad" data-verdict="bad" role="alert">✗ {verdict.reason}</p>}
    </main>
  );
}
