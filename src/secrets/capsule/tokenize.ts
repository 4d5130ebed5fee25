/**
 * Tokens for the Tokenize effect, keyed by the domain's tokenization key so the same value gives
 * the same token everywhere in the domain (joins still work) and nowhere else.
 *  - explicit:  `tk-` + 32 hex characters of HMAC-SHA256(key, value)
 *  - synthetic: a look-alike of the same shape — letters stay letters (same case), digits stay
 *    digits, punctuation stays; an email keeps its `@`, dots and top-level domain.
 */
import { hmacSha256Keyed } from './crypto.js';
import type { TokenFormat } from './read-context.js';

/** HMAC-SHA256 under the tokenization key, as hex. */
type Mac = (message: string) => string;

/** What the explicit format's HMAC covers before the value. */
const EXPLICIT_PREFIX = 'explicit\0';

/** `explicitMac` is keyed with EXPLICIT_PREFIX, so the value is never joined to it in a new string. */
function explicitWith(explicitMac: Mac, value: string): string {
  return 'tk-' + explicitMac(value).slice(0, 32);
}

export function explicitToken(key: Uint8Array, value: string): string {
  return explicitWith(hmacSha256Keyed(key, EXPLICIT_PREFIX), value);
}

/** A deterministic byte stream for one value (HMAC blocks with a counter). */
function stream(mac: Mac, value: string): () => number {
  let block: Buffer = Buffer.alloc(0);
  let counter = 0;
  let at = 0;
  return () => {
    if (at >= block.length) {
      block = Buffer.from(mac(`synthetic\0${counter++}\0${value}`), 'hex');
      at = 0;
    }
    return block[at++];
  };
}

function substitute(text: string, next: () => number): string {
  let out = '';
  for (const ch of text) {
    if (ch >= 'a' && ch <= 'z') out += String.fromCharCode(97 + (next() % 26));
    else if (ch >= 'A' && ch <= 'Z') out += String.fromCharCode(65 + (next() % 26));
    else if (ch >= '0' && ch <= '9') out += String.fromCharCode(48 + (next() % 10));
    else out += ch;
  }
  return out;
}

function syntheticWith(mac: Mac, value: string): string {
  const next = stream(mac, value);
  const at = value.lastIndexOf('@');
  const dot = value.lastIndexOf('.');
  if (at > 0 && dot > at) {
    // Keep the top-level domain so the fake address still looks like one of the same kind.
    return substitute(value.slice(0, dot), next) + value.slice(dot);
  }
  return substitute(value, next);
}

export function syntheticToken(key: Uint8Array, value: string): string {
  return syntheticWith(hmacSha256Keyed(key), value);
}

/** Tokenizes many values under one key (the key's HMAC set-up is done once). */
export function tokenizer(key: Uint8Array): (format: TokenFormat, value: string) => string {
  const mac = hmacSha256Keyed(key);
  const explicitMac = hmacSha256Keyed(key, EXPLICIT_PREFIX);
  return (format, value) => (format === 'synthetic' ? syntheticWith(mac, value) : explicitWith(explicitMac, value));
}
