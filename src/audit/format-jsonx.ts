/**
 * The `jsonx` format: IBM JSONx (XML) of the same entry, element for element what
 * jefferai/jsonx (used by Vault) makes of the JSON line: `json:object|array|string|number|boolean|
 * null` elements, `name` attributes for object members, every object's members sorted by name.
 *
 * Two deliberate differences from Vault, both to give one well-formed XML document per line:
 * - Vault writes the members bare (no declaration, no root, no separator between entries); we wrap
 *   each entry in the XML declaration and jsonx's root `json:object` with its namespace
 *   attributes (jsonx.Marshal's document form) and end it with a newline;
 * - Vault leaves string values unescaped (`<` in a value breaks the XML); we escape values the
 *   same way jsonx escapes names (Go's xml.EscapeText).
 */
import { JsonNumber } from '../lib/json-number.js';
import { rfc3339Nano } from '../lib/time.js';
import type { VaultEntry } from './entry.js';
import { formatNumber, sortKeys } from './format-json.js';
import { binaryToBase64 } from './hash.js';

export const JSONX_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>';
export const JSONX_ROOT_OPEN =
  '<json:object xsi:schemaLocation="http://www.datapower.com/schemas/json jsonx.xsd" ' +
  'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:json="http://www.ibm.com/xmlns/prod/2009/jsonx">';
export const JSONX_ROOT_CLOSE = '</json:object>';

// eslint-disable-next-line no-control-regex -- control characters are what it finds
const XML_SPECIAL = /[\u0000-\u001f"'&<>\ud800-\udfff\ufffe\uffff]/;

/** Go's xml.EscapeText: entities for markup, character references for tab/newline/CR, U+FFFD for non-XML characters. */
export function escapeXml(s: string): string {
  if (!XML_SPECIAL.test(s)) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    switch (c) {
      case 0x22: out += '&#34;'; continue;
      case 0x27: out += '&#39;'; continue;
      case 0x26: out += '&amp;'; continue;
      case 0x3c: out += '&lt;'; continue;
      case 0x3e: out += '&gt;'; continue;
      case 0x09: out += '&#x9;'; continue;
      case 0x0a: out += '&#xA;'; continue;
      case 0x0d: out += '&#xD;'; continue;
    }
    if (c < 0x20 || c === 0xfffe || c === 0xffff) { out += '\ufffd'; continue; }
    if (c >= 0xd800 && c <= 0xdfff) {
      const next = s.charCodeAt(i + 1);
      if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) { out += s[i] + s[i + 1]; i++; }
      else out += '\ufffd';
      continue;
    }
    out += s[i];
  }
  return out;
}

function element(v: unknown, name: string | undefined): string {
  const attr = name === undefined ? '' : ` name="${escapeXml(name)}"`;
  if (v === null || v === undefined) return `<json:null${attr} />`;
  switch (typeof v) {
    case 'string': return `<json:string${attr}>${escapeXml(v)}</json:string>`;
    case 'number':
      return Number.isFinite(v) ? `<json:number${attr}>${formatNumber(v)}</json:number>` : `<json:null${attr} />`;
    case 'bigint': return `<json:number${attr}>${v.toString()}</json:number>`;
    case 'boolean': return `<json:boolean${attr}>${v ? 'true' : 'false'}</json:boolean>`;
    case 'object': {
      // A number's literal text is digits, sign, '.', 'e' and '+': nothing to escape.
      if (v instanceof JsonNumber) return `<json:number${attr}>${v.text}</json:number>`;
      if (Array.isArray(v)) return `<json:array${attr}>${v.map((x) => element(x, undefined)).join('')}</json:array>`;
      if (ArrayBuffer.isView(v) || v instanceof ArrayBuffer) return `<json:string${attr}>${binaryToBase64(v)}</json:string>`;
      if (v instanceof Date) return `<json:string${attr}>${rfc3339Nano(BigInt(v.getTime()) * 1_000_000n)}</json:string>`;
      return `<json:object${attr}>${members(v as Record<string, unknown>)}</json:object>`;
    }
    default:
      return `<json:null${attr} />`;
  }
}

function members(obj: Record<string, unknown>): string {
  let out = '';
  for (const k of sortKeys(Object.keys(obj))) {
    if (obj[k] === undefined) continue;
    out += element(obj[k], k);
  }
  return out;
}

/** One JSONx document for the entry, newline-terminated. */
export function formatJsonx(entry: VaultEntry): string {
  return JSONX_DECLARATION + JSONX_ROOT_OPEN + members(entry as unknown as Record<string, unknown>) + JSONX_ROOT_CLOSE + '\n';
}
