/**
 * Built-in detectors. Each finds spans of one kind of personal data in a string and names the tag
 * to attach. Regular expressions find candidates; check digits (Luhn, mod-97) and range checks
 * (dates, IP octets) discard the look-alikes, so a detector's hit is a strong signal.
 * Offsets are JavaScript string indices (UTF-16 code units).
 */
import { isIP } from 'node:net';
import { TAG_PREFIX } from '../tags.js';
import { dateValid, ibanValid, luhnValid } from './checksums.js';
import { FIRST_NAMES, LAST_NAMES } from './names.js';

export interface Hit {
  start: number;
  end: number;
  tagName: string;
}

export interface Detector {
  readonly name: DetectorName;
  find(text: string): Hit[];
}

export const DETECTOR_NAMES = ['email', 'phone', 'credit_card', 'ip_address', 'ssn', 'iban', 'date', 'person_name'] as const;
export type DetectorName = (typeof DETECTOR_NAMES)[number];

export const PII = (kind: string) => `${TAG_PREFIX}pii/${kind}`;

/**
 * Every match of `re` (a /g regex) that passes `accept`, tagged `tagName`. `needs` is a character
 * every match contains (a regex without the /g flag): a text without one is skipped unscanned,
 * which is most fields of a table for most detectors.
 */
function regexDetector(name: DetectorName, re: RegExp, tagName: string, accept: (m: string) => boolean = () => true, needs?: RegExp): Detector {
  return { name, find: (text) => findAll(re, text, tagName, accept, needs, []) };
}

/**
 * The matches of `re` in `text` (as `matchAll` finds them), appended to `hits`. The regex is shared
 * and used synchronously, so its lastIndex is reset before and after instead of cloning it per
 * call as matchAll does. No pattern here matches the empty string.
 */
function findAll(re: RegExp, text: string, tagName: string, accept: (m: string) => boolean, needs: RegExp | undefined, hits: Hit[]): Hit[] {
  if (needs && !needs.test(text)) return hits;
  re.lastIndex = 0;
  try {
    for (let m = re.exec(text); m !== null; m = re.exec(text)) {
      if (accept(m[0])) hits.push({ start: m.index, end: m.index + m[0].length, tagName });
    }
  } finally {
    re.lastIndex = 0;
  }
  return hits;
}

const DIGIT = /\d/;
const always = () => true;

const MONTHS = 'January|February|March|April|May|June|July|August|September|October|November|December';
const MONTH_INDEX = new Map(MONTHS.split('|').map((m, i) => [m.toLowerCase(), i + 1]));

function dateCandidateValid(s: string): boolean {
  let m = /^(\d{4})-(\d{2})-(\d{2})/.exec(s);
  if (m) return dateValid(+m[1], +m[2], +m[3]);
  m = /^(\d{1,2})[/.](\d{1,2})[/.](\d{4})$/.exec(s);
  // Day-first or month-first: accept when either reading is a real date.
  if (m) return dateValid(+m[3], +m[2], +m[1]) || dateValid(+m[3], +m[1], +m[2]);
  m = /^([A-Za-z]+) (\d{1,2}), (\d{4})$/.exec(s);
  if (m) return dateValid(+m[3], MONTH_INDEX.get(m[1].toLowerCase()) ?? 0, +m[2]);
  m = /^(\d{1,2}) ([A-Za-z]+) (\d{4})$/.exec(s);
  if (m) return dateValid(+m[3], MONTH_INDEX.get(m[2].toLowerCase()) ?? 0, +m[1]);
  return false;
}

const NAME_WORD = /\b[A-Z](?:[a-z]+|[A-Z]+)(?:['-][A-Z](?:[a-z]+|[A-Z]+))?\b/g;
const LOWER = /[a-z]/;
const CAPITALS_WORD_START = /(^|['-])([a-z])/g;

/** A word as the dictionary spells it: `SMITH` as `Smith` (a word in capitals is a name as much). */
function dictionaryWord(word: string): string {
  return LOWER.test(word) ? word : word.toLowerCase().replace(CAPITALS_WORD_START, (_m, before: string, c: string) => before + c.toUpperCase());
}
const UPPER = /[A-Z]/;
const FIRST_NAME_TAG = PII('first_name');
const LAST_NAME_TAG = PII('last_name');

/**
 * Capitalized words, or words in capitals, found in the name dictionary; a surname right after a
 * given name counts as one.
 */
const personName: Detector = {
  name: 'person_name',
  find(text) {
    const hits: Hit[] = [];
    let previousWasFirst = false;
    let previousEnd = -2;
    if (!UPPER.test(text)) return hits;
    const re = NAME_WORD;
    re.lastIndex = 0;
    for (let m = re.exec(text); m !== null; m = re.exec(text)) {
      const word = dictionaryWord(m[0]);
      const start = m.index!;
      const adjacent = start === previousEnd + 1;
      const asLast: boolean = LAST_NAMES.has(word) && ((adjacent && previousWasFirst) || !FIRST_NAMES.has(word));
      const kind: string | undefined = asLast ? 'last_name' : FIRST_NAMES.has(word) ? 'first_name' : undefined;
      previousWasFirst = kind === 'first_name';
      previousEnd = start + word.length;
      if (kind) hits.push({ start, end: previousEnd, tagName: kind === 'last_name' ? LAST_NAME_TAG : FIRST_NAME_TAG });
    }
    re.lastIndex = 0;
    return hits;
  },
};

const OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';

const IPV4 = new RegExp(`(?<![\\d.])(?:${OCTET}\\.){3}${OCTET}(?!\\d|\\.\\d)`, 'g');
const IPV6 = /(?<![0-9A-Fa-f:])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?![0-9A-Fa-f:])/g;
const IP_TAG = PII('ip_address');
const isIPv6 = (s: string) => isIP(s) === 6;

/** IPv4 hits first, then IPv6 ones. */
const ipAddress: Detector = {
  name: 'ip_address',
  find: (text) => findAll(IPV6, text, IP_TAG, isIPv6, /:/, findAll(IPV4, text, IP_TAG, always, /\./, [])),
};

const WIDE_WORD = /[\p{L}\p{N}\p{M}]/u;
const WIDE_LETTER = /[\p{L}\p{M}]/u;
/** A letter, digit or mark beyond ASCII: internationalized addresses (RFC 6531) and domains are written in them. */
const isWideWord = (c: number) => c >= 0x80 && WIDE_WORD.test(String.fromCharCode(c));

/** What the detector takes for an address's local part: letters and digits of any script and `._%+-`. */
function isLocalPartChar(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x2e || c === 0x5f || c === 0x25 || c === 0x2b || c === 0x2d || isWideWord(c);
}

/** A DNS name is at most 253 characters: no domain is read further. */
const MAX_DOMAIN_CHARS = 253;

const isLetter = (c: number) => (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x80 && WIDE_LETTER.test(String.fromCharCode(c)));
const isLabelChar = (c: number) => isLetter(c) || (c >= 0x30 && c <= 0x39) || c === 0x2d || isWideWord(c);

/**
 * Where the domain read from `begin` ends, or -1: what `[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}`
 * (letters and digits of any script) matches there, within 253 characters. Dot-separated non-empty labels, the last dot followed by
 * two letters or more; the match ends at the latest such dot's letters. As a regex, 4 MB of `a.`
 * after an `@` would overflow the backtracking stack (a 500).
 */
function emailDomainEnd(text: string, begin: number): number {
  const limit = Math.min(text.length, begin + MAX_DOMAIN_CHARS);
  let end = -1;
  let labelStart = begin;
  for (let i = begin; i < limit; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x2e) {
      if (i === labelStart) break;
      let j = i + 1;
      while (j < limit && isLetter(text.charCodeAt(j))) j++;
      if (j - i > 2) end = j;
      labelStart = i + 1;
    } else if (!isLabelChar(c)) break;
  }
  return end;
}
const EMAIL_TAG = PII('email');

/**
 * What `/[A-Za-z0-9._%+-]+@<domain>/g` finds (letters and digits of any script too), found from
 * each `@` instead: that regex tried every start and read on to the end of the local-part
 * characters, so text without a valid address cost
 * time quadratic in its length (40,000 characters then `@`: 4.7 s). A local part is the run of its
 * characters right before an `@`, not reaching back into the previous match; `@` ends every run,
 * and no domain character is an `@`, so each character is read a bounded number of times.
 */
function findEmails(text: string): Hit[] {
  const hits: Hit[] = [];
  let from = 0;
  for (let at = text.indexOf('@'); at !== -1; at = text.indexOf('@', Math.max(at + 1, from))) {
    let start = at;
    while (start > from && isLocalPartChar(text.charCodeAt(start - 1))) start--;
    if (start === at) continue;
    const end = emailDomainEnd(text, at + 1);
    if (end < 0) continue;
    hits.push({ start, end, tagName: EMAIL_TAG });
    from = end;
  }
  return hits;
}

/**
 * Every detector runs in time linear in the text. In each pattern of this file a repetition is
 * bounded or stops at a character its continuation cannot start with, and lookbehinds and `\b`
 * keep a run from being retried at each of its characters (detectors.test.ts times them all on
 * hostile text).
 */
export const DETECTORS: Record<DetectorName, Detector> = {
  email: { name: 'email', find: findEmails },
  phone: regexDetector('phone', /(?<![\w+])(?:\+\d{1,3}[ .-]?)?(?:\(\d{3}\) ?|\d{3}[ .-]?)\d{3}[ .-]?\d{4}(?!\w)/g, PII('phone'), always, DIGIT),
  credit_card: regexDetector('credit_card', /(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d-])/g, PII('credit_card'), (s) => {
    const digits = s.replace(/[ -]/g, '');
    return digits.length >= 13 && digits.length <= 19 && luhnValid(digits);
  }, DIGIT),
  ip_address: ipAddress,
  ssn: regexDetector('ssn', /(?<![\d-])(?!000|666|9\d\d)\d{3}-(?!00)\d{2}-(?!0000)\d{4}(?![\d-])/g, PII('ssn'), always, /-/),
  iban: regexDetector('iban', /\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b/gi, PII('iban'), ibanValid, /[A-Z]{2}\d/i),
  date: regexDetector(
    'date',
    new RegExp(`\\b(?:\\d{4}-\\d{2}-\\d{2}|\\d{1,2}[/.]\\d{1,2}[/.]\\d{4}|(?:${MONTHS}) \\d{1,2}, \\d{4}|\\d{1,2} (?:${MONTHS}) \\d{4})\\b`, 'gi'),
    PII('date'),
    dateCandidateValid,
    /\d{4}/,
  ),
  person_name: personName,
};
