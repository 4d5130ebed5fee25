/**
 * Unseal key shares submitted so far in one unseal attempt. Shares are copied in (the caller's
 * buffers are not kept) and zeroed when the attempt ends, succeeds or fails.
 */
import { constantTimeEqual } from '../../lib/compare.js';
import { uuid } from '../../lib/ids.js';

export class UnsealProgress {
  private shares: Uint8Array[] = [];
  private attempt = '';

  get count(): number {
    return this.shares.length;
  }

  /** The attempt's id: a fresh uuid when its first share arrives, "" when no attempt is in progress. */
  get nonce(): string {
    return this.attempt;
  }

  /** Records a share; a share already submitted in this attempt is ignored (returns false). */
  add(share: Uint8Array): boolean {
    if (this.shares.some((s) => constantTimeEqual(s, share))) return false;
    if (this.shares.length === 0) this.attempt = uuid();
    // A plain Uint8Array copy: the Shamir library refuses Buffer subclasses.
    this.shares.push(new Uint8Array(share));
    return true;
  }

  /** The submitted shares (owned by this object; do not keep them past `reset`). */
  current(): readonly Uint8Array[] {
    return this.shares;
  }

  reset(): void {
    for (const s of this.shares) s.fill(0);
    this.shares = [];
    this.attempt = '';
  }
}
