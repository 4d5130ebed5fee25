/**
 * Pinning the ledger's verifier key in this browser: after that, Verify refuses a server whose key
 * differs. Compare the key with one obtained out of band (the operator's record of it) first.
 */
export function PinnedKey({ serverKey, pinned, onPin }: { serverKey: string; pinned?: string; onPin: (key: string | undefined) => void }) {
  if (pinned === undefined) {
    return (
      <p className="pin">
        This browser trusts the key the server names. <button type="button" onClick={() => onPin(serverKey)}>Pin this key in this browser</button>
      </p>
    );
  }
  return (
    <p className={`pin ${pinned === serverKey ? 'outcome-success' : 'outcome-failure'}`} data-pinned={pinned === serverKey ? 'match' : 'differs'}>
      {pinned === serverKey ? '✓ The server\'s key is the key pinned in this browser.' : `✗ The server's key differs from the key pinned in this browser (${pinned}).`}
      {' '}<button type="button" onClick={() => onPin(undefined)}>Unpin</button>
    </p>
  );
}
