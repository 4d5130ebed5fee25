/**
 * What a KMS handler learned about a call that the CloudTrail event needs but the AWS response body
 * must not carry: the key ARNs it touched (`resources`, also for calls that then fail) and the
 * verified recipient's identity (`additionalEventData.recipient`).
 *
 * The side channel is keyed by the logical request id: the handler writes, the mount's
 * `recordOutcome` takes (and so deletes) the notes once the call is done, whichever door it came
 * through. The map is bounded all the same: should a note ever be left, the oldest fall off.
 */
export interface CallNotes {
  /** Key ARNs, in the order the call resolved them (ReEncrypt: source then destination). */
  resources: string[];
  recipient?: Record<string, string>;
}

export interface CallNotesChannel {
  /** The notes of a request, created on first use. */
  for(requestId: string): CallNotes;
  take(requestId: string): CallNotes | undefined;
}

export function createCallNotesChannel(maxEntries = 10_000): CallNotesChannel {
  const notes = new Map<string, CallNotes>();
  return {
    for(requestId) {
      let n = notes.get(requestId);
      if (!n) {
        if (notes.size >= maxEntries) notes.delete(notes.keys().next().value as string);
        n = { resources: [] };
        notes.set(requestId, n);
      }
      return n;
    },
    take(requestId) {
      const n = notes.get(requestId);
      notes.delete(requestId);
      return n;
    },
  };
}
