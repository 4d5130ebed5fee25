import { useEffect, useRef, useState } from 'react';
import type { Api } from '../lib/api';
import { verifyRecordOnServer, type ServerVerdict } from '../lib/ledger-client';
import { toHex } from '../lib/bytes';
import { loadTrust, rememberSeen } from '../trustStore';

/**
 * Verify: the record against the signed ledger, in the browser; ✓ with the checkpoint or ✗ why.
 * `onVerified` gets the text that was verified, so that what is shown beside ✓ is that text. An
 * answer that arrives after another record was opened is dropped: its ✓ speaks for the record it
 * was asked about, not for the one on screen.
 */
export function VerifyPanel({ api, seq, onVerified }: { api: Api; seq: number; onVerified?: (text: string) => void }) {
  const [result, setResult] = useState<ServerVerdict | undefined>();
  const [busy, setBusy] = useState(false);
  // The record on screen (none once the panel is gone).
  const current = useRef<number | undefined>(seq);
  useEffect(() => {
    current.current = seq;
    setResult(undefined);
    setBusy(false);
    return () => { current.current = undefined; };
  }, [seq]);

  const run = async () => {
    const asked = seq;
    setBusy(true);
    setResult(undefined);
    const trust = loadTrust();
    const r = await verifyRecordOnServer(api, asked, trust);
    if (r.seen) rememberSeen(r.seen);
    if (current.current !== asked) return;
    if (r.verdict.ok && r.text !== undefined) onVerified?.(r.text);
    setResult(r);
    setBusy(false);
  };

  const verdict = result?.verdict;
  return (
    <section className="verify" aria-live="polite">
      <button type="button" onClick={run} disabled={busy}>{busy ? 'Verifying…' : 'Verify'}</button>
      {verdict?.ok === true && (
        <div className="verdict verdict-ok" data-verdict="ok">
          <strong>✓ Record {seq} is in the signed ledger</strong>
          <dl>
            <dt>origin</dt><dd>{verdict.checkpoint.origin}</dd>
            <dt>tree size</dt><dd>{verdict.checkpoint.size}</dd>
            <dt>root</dt><dd className="mono">{verdict.rootBase64}</dd>
            <dt>root (hex)</dt><dd className="mono">{toHex(verdict.checkpoint.root)}</dd>
            <dt>leaf hash</dt><dd className="mono">{verdict.leafBase64}</dd>
            <dt>history</dt><dd>{result?.extended !== undefined ? `extends the checkpoint this browser verified before (size ${result.extended})` : 'first checkpoint this browser verified under this key'}</dd>
          </dl>
          {result?.newKey && (
            <p className="warning" role="alert">This browser verified checkpoints under another ledger key before: the server's key has changed. Pin the key on the Ledger page once you have checked it.</p>
          )}
        </div>
      )}
      {verdict?.ok === false && result?.unchecked && (
        <div className="verdict verdict-unchecked" data-verdict="unchecked" role="alert">
          <strong>Record {seq} could not be checked</strong>
          <p>{verdict.reason}</p>
        </div>
      )}
      {verdict?.ok === false && !result?.unchecked && (
        <div className="verdict verdict-bad" data-verdict="bad" role="alert">
          <strong>✗ Record {seq} does not verify</strong>
          <p>{verdict.reason}</p>
        </div>
      )}
    </section>
  );
}
