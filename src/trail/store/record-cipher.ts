/**
 * Encryption of stored records: AES-256-GCM under the event-store key (kept inside the barrier),
 * with the event id as additional data so a record copied onto another row fails to open.
 * Uses the barrier's one cipher implementation rather than a second one.
 */
import { importKey, openValue, sealValue } from '../../storage/index.js';
import { internal } from '../../errors/index.js';

export interface RecordCipher {
  seal(eventId: string, json: string): Buffer;
  open(eventId: string, sealed: Uint8Array): string;
}

const aad = (eventId: string) => Buffer.from(`sealtrail/trail-event/${eventId}`, 'utf8');

export function recordCipher(key: Uint8Array): RecordCipher {
  const k = importKey(key);
  return {
    seal: (eventId, json) => sealValue(k, 0, Buffer.from(json, 'utf8'), aad(eventId)),
    open(eventId, sealed) {
      const opened = openValue(k, sealed, aad(eventId));
      if (!opened.ok) throw internal(new Error(`stored trail event failed to decrypt (${opened.reason})`));
      return opened.plaintext.toString('utf8');
    },
  };
}
