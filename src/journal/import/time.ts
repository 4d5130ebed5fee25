/**
 * RFC 3339 times → nanoseconds since the epoch, exactly (bigint): Vault writes up to nine
 * fraction digits, which a double cannot hold. Accepts `Z` or a numeric offset; rejects what is
 * not a real date and time (month 13, Feb 30, 24:00) and what a signed 64-bit count of ns cannot
 * hold (before 1677 or after 2262), as the journal stores it.
 */
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;
const FRACTION_PAD = '000000000';

/** Entries arrive many per second: the seconds part of the last time parsed is kept. */
let lastSecondText = '';
let lastSecondNs = 0n;

function secondsOf(m: RegExpExecArray): bigint | undefined {
  const [y, mo, d, h, mi, s] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number);
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59) return undefined;
  // setUTCFullYear, not Date.UTC: that maps the years 0-99 to 1900-1999.
  const date = new Date(0);
  date.setUTCFullYear(y, mo - 1, d);
  date.setUTCHours(h, mi, s, 0);
  if (date.getUTCDate() !== d) return undefined;
  const ms = date.getTime();
  let seconds = ms / 1000;
  if (m[9] !== undefined) {
    const oh = Number(m[10]);
    const om = Number(m[11]);
    if (oh > 23 || om > 59) return undefined;
    seconds -= (m[9] === '-' ? -1 : 1) * (oh * 3600 + om * 60);
  }
  return BigInt(seconds) * 1_000_000_000n;
}

/** The times the journal can hold: ns since the epoch in a signed 64-bit integer. */
export const MIN_TIME_NS = -(2n ** 63n);
export const MAX_TIME_NS = 2n ** 63n - 1n;

export function parseRfc3339Ns(text: string): bigint | undefined {
  const m = RFC3339.exec(text);
  if (!m) return undefined;
  const fraction = m[7] === undefined ? 0n : BigInt((m[7] + FRACTION_PAD).slice(0, 9));
  // Everything but the fraction decides the second.
  const secondText = m[7] === undefined ? text : text.slice(0, 19) + text.slice(20 + m[7].length);
  if (secondText !== lastSecondText) {
    const ns = secondsOf(m);
    if (ns === undefined) return undefined;
    lastSecondText = secondText;
    lastSecondNs = ns;
  }
  const ns = lastSecondNs + fraction;
  return ns >= MIN_TIME_NS && ns <= MAX_TIME_NS ? ns : undefined;
}
