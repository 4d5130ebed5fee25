/**
 * A JSON number kept digit for digit, as Vault decodes request JSON with Go's `UseNumber`: a
 * number keeps its literal text and is written back unchanged. Most numbers survive a trip through
 * float64 (`String(Number(text)) === text`) and stay plain `number`s; only the others —
 * `12345678901234567890`, `1e400`, `-0`, `1.0`, a 30-digit decimal — become a JsonNumber, which
 * holds the text. lib/json-text.ts parses and writes them; every writer of user-supplied values
 * (HTTP responses, stored records, audit formats) writes a JsonNumber's text as a bare number.
 */
import { isNumber } from 'lossless-json';

/** A JSON number whose text does not survive float64; frozen, holds the literal text. */
export class JsonNumber {
  readonly text: string;

  constructor(text: string, checked = false) {
    if (!checked && !isNumber(text)) throw new TypeError('JsonNumber: not a JSON number');
    this.text = text;
    Object.freeze(this);
  }

  /** A JsonNumber of text a JSON parser has already read as one number (the parse's slow path). */
  static ofValidText(text: string): JsonNumber {
    return new JsonNumber(text, true);
  }

  toString(): string {
    return this.text;
  }

  /**
   * Code that coerces a value to a number (`Number(v)`, `v < 1`, `Number.isInteger(+v)`) gets the
   * exact safe integer the text denotes, or NaN — which every such check refuses — never a rounded
   * value. As a string it is its text.
   */
  [Symbol.toPrimitive](hint: string): string | number {
    return hint === 'number' ? (exactSafeInteger(this) ?? NaN) : this.text;
  }

  /**
   * What JSON.stringify makes of a JsonNumber that reached it by mistake: the float64 value, as
   * before numbers were kept (Infinity becomes null). Writers of user values use stringifyJson.
   */
  toJSON(): number {
    return Number(this.text);
  }
}

export function isJsonNumber(v: unknown): v is JsonNumber {
  return v instanceof JsonNumber;
}

/** A number as parsed: the float64 when it writes back as the same text, else a JsonNumber. */
export function jsonNumberOf(text: string): number | JsonNumber {
  const n = Number(text);
  return String(n) === text ? n : new JsonNumber(text);
}

/**
 * The integer a JsonNumber's text denotes exactly, when it is a safe integer (`1.0`, `1e3`, `-0`
 * → 0); undefined otherwise (a fraction, or beyond ±(2^53 − 1)). For fields the server itself
 * interprets: such a value is taken as the integer it is, never rounded.
 */
export function exactSafeInteger(n: JsonNumber): number | undefined {
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(n.text);
  if (!m) return undefined;
  const [, sign, whole, fraction = '', exp = '0'] = m;
  const shift = Number(exp);
  let digits = (whole + fraction).replace(/^0+/, '');
  let scale = shift - fraction.length;
  if (digits === '') return 0;
  // Trailing zeros move into the scale: 1.50e1 is 15, 1500e-2 is 15.
  const trimmed = digits.replace(/0+$/, '');
  scale += digits.length - trimmed.length;
  digits = trimmed;
  if (scale < 0 || digits.length + scale > 16) return undefined;
  const value = Number(sign + digits + '0'.repeat(scale));
  return Number.isSafeInteger(value) ? value + 0 : undefined;
}
