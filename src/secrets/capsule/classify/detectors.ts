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

/** Every match of `re` (a /g regex) that passes `accept`, tagged `tagName`. */
function regexDetector(name: DetectorName, re: RegExp, tagName: string, accept: (m: string) => boolean = () => true): Detector {
  return {
    name,
    find(text) {
      const hits: Hit[] = [];
      for (const m of text.matchAll(re)) {
        if (accept(m[0])) hits.push({ start: m.index!, end: m.index! + m[0].length, tagName });
      }
      return hits;
    },
  };
}

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

/** Capitalized words found in the name dictionary; a surname right after a given name counts as one. */
const personName: Detector = {
  name: 'person_name',
  find(text) {
    const hits: Hit[] = [];
    let previousWasFirst = false;
    let previousEnd = -2;
    for (const m of text.matchAll(/\b[A-Z][a-z]+(?:['-][A-Z][a-z]+)?\b/g)) {
      const word = m[0];
      const start = m.index!;
      const adjacent = start === previousEnd + 1;
      const asLast: boolean = LAST_NAMES.has(word) && ((adjacent && previousWasFirst) || !FIRST_NAMES.has(word));
      const kind: string | undefined = asLast ? 'last_name' : FIRST_NAMES.has(word) ? 'first_name' : undefined;
      previousWasFirst = kind === 'first_name';
      previousEnd = start + word.length;
      if (kind) hits.push({ start, end: start + word.length, tagName: PII(kind) });
    }
    return hits;
  },
};

const OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';

const ipAddress: Detector = {
  name: 'ip_address',
  find(text) {
    const v4 = regexDetector('ip_address', new RegExp(`(?<![\\d.])(?:${OCTET}\\.){3}${OCTET}(?!\\d|\\.\\d)`, 'g'), PII('ip_address'));
    const v6 = regexDetector(
      'ip_address',
      /(?<![0-9A-Fa-f:])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?![0-9A-Fa-f:])/g,
      PII('ip_address'),
      (s) => isIP(s) === 6,
    );
    return [...v4.find(text), ...v6.find(text)];
  },
};

export const DETECTORS: Record<DetectorName, Detector> = {
  email: regexDetector('email', /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g, PII('email')),
  phone: regexDetector('phone', /(?<![\w+])(?:\+\d{1,3}[ .-]?)?(?:\(\d{3}\) ?|\d{3}[ .-]?)\d{3}[ .-]?\d{4}(?!\w)/g, PII('phone')),
  credit_card: regexDetector('credit_card', /(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d-])/g, PII('credit_card'), (s) => {
    const digits = s.replace(/[ -]/g, '');
    return digits.length >= 13 && digits.length <= 19 && luhnValid(digits);
  }),
  ip_address: ipAddress,
  ssn: regexDetector('ssn', /(?<![\d-])(?!000|666|9\d\d)\d{3}-(?!00)\d{2}-(?!0000)\d{4}(?![\d-])/g, PII('ssn')),
  iban: regexDetector('iban', /\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b/g, PII('iban'), ibanValid),
  date: regexDetector(
    'date',
    new RegExp(`\\b(?:\\d{4}-\\d{2}-\\d{2}|\\d{1,2}[/.]\\d{1,2}[/.]\\d{4}|(?:${MONTHS}) \\d{1,2}, \\d{4}|\\d{1,2} (?:${MONTHS}) \\d{4})\\b`, 'g'),
    PII('date'),
    dateCandidateValid,
  ),
  person_name: personName,
};
