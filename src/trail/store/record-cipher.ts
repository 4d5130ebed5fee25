/**
 * Encryption of stored records: AES-256-GCM (the barrier's format and cipher, rather than a second
 * one) under a key of the record's own, derived from the event-store key (kept inside the barrier)
 * and the record's event id: HMAC-SHA256(event-store key, label ‖ event id). The event id is also
 * the additional data, so a record copied onto another row fails to open.
 *
 * One key for every event the store ever holds would meet GCM's bound for random 96-bit nonces,
 * 2^32 messages under one key (NIST SP 800-38D), within days at thousands of KMS calls a second;
 * event ids are unique (UUIDv7), so no record key seals more than its record.
 *
 * The barrier format's term field says which key sealed a record: RECORD_KEY_TERM for a record
 * key; 0 for the event-store key itself, as records stored before record keys were sealed, which
 * still open.
 */
import { importKey, openValue, sealValue, termOf } from '../../storage/index.js';
import { internal } from '../../errors/index.js';
import { KeyedHmac } from '../../lib/keyed-hmac.js';

export interface RecordCipher {
  seal(eventId: string, json: string): Buffer;
  open(eventId: string, sealed: Uint8Array): string;
}

/** The term of a record sealed under its record key. */
const RECORD_KEY_TERM = 1;
const STORE_KEY_TERM = 0;

const aad = (eventId: string) => Buffer.from(`sealtrail/trail-event/${eventId}`, 'utf8');

export function recordCipher(key: Uint8Array): RecordCipher {
  const storeKey = importKey(key);
  const derive = new KeyedHmac(key, 'sealtrail/trail-record-key\0');
  const recordKey = (eventId: string) => Buffer.from(derive.hex(eventId), 'hex');
  return {
    seal(eventId, json) {
      const k = recordKey(eventId);
      try {
        return sealValue(k, RECORD_KEY_TERM, Buffer.from(json, 'utf8'), aad(eventId));
      } finally {
        k.fill(0);
      }
    },
    open(eventId, sealed) {
      const term = termOf(sealed);
      const k = term === RECORD_KEY_TERM ? recordKey(eventId) : undefined;
      try {
        const opened = term === RECORD_KEY_TERM || term === STORE_KEY_TERM ? openValue(k ?? storeKey, sealed, aad(eventId)) : undefined;
        if (!opened?.ok) throw internal(new Error(`stored trail event failed to decrypt (${opened?.reason ?? 'unknown key'})`));
        return opened.plaintext.toString('utf8');
      } finally {
        k?.fill(0);
      }
    },
  };
}
