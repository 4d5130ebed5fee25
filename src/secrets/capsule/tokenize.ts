/**
 * Tokens for the Tokenize effect, keyed by the domain's tokenization key so the same value gives
 * the same token everywhere in the domain (joins still work) and nowhere else.
 *  - explicit:  `tk-` + 32 hex characters of HMAC-SHA256(key, value)
 *  - synthetic: a look-alike of the same shape — letters stay letters (same case), digits stay
 *    digits, punctuation stays; an email keeps its `@`, dots and top-level domain.
 */
import { hmacSha256 } from './crypto.js';
import type { TokenFormat } from './read-context.js';

export function explicitToken(key: Uint8Array, value: string): string {
  return 'tk-' + hmacSha256(key, `explicit\0${value}`).subarray(0, 16).toString('hex');
}

/** A deterministic byte stream for one value (HMAC blocks with a counter). */
function stream(key: Uint8Array, value: string): () => number {
  let block: Buffer = Buffer.alloc(0);
  let counter = 0;
  let at = 0;
  return () => {
    if (at >= block.length) {
      block = hmacSha256(key, `synthetic\0${counter++}\0${value}`);
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

export function syntheticToken(key: Uint8Array, value: string): string {
  const next = stream(key, value);
  const at = value.lastIndexOf('@');
  const dot = value.lastIndexOf('.');
  if (at > 0 && dot > at) {
    // Keep the top-level domain so the fake address still looks like one of the same kind.
    return substitute(value.slice(0, dot), next) + value.slice(dot);
  }
  return substitute(value, next);
}

export function tokenFor(format: TokenFormat, key: Uint8Array, value: string): string {
  return format === 'synthetic' ? syntheticToken(key, value) : explicitToken(key, value);
}
