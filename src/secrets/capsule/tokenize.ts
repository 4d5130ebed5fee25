/**
 * Tokens for the Tokenize effect, keyed by the domain's tokenization key so the same value gives
 * the same token everywhere in the domain (joins still work) and nowhere else.
 *  - explicit:  `tk-` + 32 hex characters of HMAC-SHA256(key, value)
 *  - synthetic: a look-alike of the same shape — letters stay letters (same case), digits stay
 *    digits, in any script (as ASCII ones), punctuation stays; an email keeps its `@`, dots and
 *    top-level domain when it ends the value.
 */
import { KeyedHmac } from '../../lib/keyed-hmac.js';
import type { TokenFormat } from './read-context.js';

/** What the explicit format's HMAC covers before the value. */
const EXPLICIT_PREFIX = 'explicit\0';

/** `explicitMac` is keyed with EXPLICIT_PREFIX, so the value is never joined to it in a new string. */
function explicitWith(explicitMac: KeyedHmac, value: string): string {
  return 'tk-' + explicitMac.hex(value).slice(0, 32);
}

export function explicitToken(key: Uint8Array, value: string): string {
  return explicitWith(new KeyedHmac(key, EXPLICIT_PREFIX), value);
}

/** A deterministic byte stream for one value (HMAC blocks with a counter). */
function stream(mac: KeyedHmac, value: string): () => number {
  let block: Buffer = Buffer.alloc(0);
  let counter = 0;
  let at = 0;
  return () => {
    if (at >= block.length) {
      block = Buffer.from(mac.hex(`synthetic\0${counter++}\0${value}`), 'hex');
      at = 0;
    }
    return block[at++];
  };
}

const UPPER = /^[\p{Lu}\p{Lt}]$/u;
const LETTER = /^\p{L}$/u;
const NUMBER = /^\p{N}$/u;
const MARK = /^\p{M}$/u;

/**
 * The look-alike of one character outside ASCII. Letters and digits of every script are replaced
 * (by ASCII ones: a script's own letters would need its alphabet) and combining marks dropped with
 * the letter they mark, so no character of the value is returned; punctuation and spaces stay.
 */
function substituteWide(ch: string, next: () => number): string {
  if (UPPER.test(ch)) return String.fromCharCode(65 + (next() % 26));
  if (LETTER.test(ch)) return String.fromCharCode(97 + (next() % 26));
  if (NUMBER.test(ch)) return String.fromCharCode(48 + (next() % 10));
  return MARK.test(ch) ? '' : ch;
}

function substitute(text: string, next: () => number): string {
  let out = '';
  for (const ch of text) {
    if (ch >= 'a' && ch <= 'z') out += String.fromCharCode(97 + (next() % 26));
    else if (ch >= 'A' && ch <= 'Z') out += String.fromCharCode(65 + (next() % 26));
    else if (ch >= '0' && ch <= '9') out += String.fromCharCode(48 + (next() % 10));
    else if (ch.charCodeAt(0) < 0x80) out += ch;
    else out += substituteWide(ch, next);
  }
  return out;
}

/** What an address's top-level domain may be: letters only (a label of at most 63). */
const TOP_LEVEL_DOMAIN = /^\p{L}{2,63}$/u;

function syntheticWith(mac: KeyedHmac, value: string): string {
  const next = stream(mac, value);
  const at = value.lastIndexOf('@');
  const dot = value.lastIndexOf('.');
  if (at > 0 && dot > at && TOP_LEVEL_DOMAIN.test(value.slice(dot + 1))) {
    // Keep the top-level domain so the fake address still looks like one of the same kind.
    return substitute(value.slice(0, dot), next) + value.slice(dot);
  }
  return substitute(value, next);
}

export function syntheticToken(key: Uint8Array, value: string): string {
  return syntheticWith(new KeyedHmac(key), value);
}

/**
 * Tokenizes many values under one key (the key's HMAC set-up is done once). An object, so code
 * optimized around `token` in one load still holds in the next, under another key.
 */
export class Tokenizer {
  private readonly mac: KeyedHmac;
  private readonly explicitMac: KeyedHmac;

  constructor(key: Uint8Array) {
    this.mac = new KeyedHmac(key);
    this.explicitMac = new KeyedHmac(key, EXPLICIT_PREFIX);
  }

  token(format: TokenFormat, value: string): string {
    return format === 'synthetic' ? syntheticWith(this.mac, value) : explicitWith(this.explicitMac, value);
  }
}
