import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DETECTORS, type DetectorName } from '../../../src/secrets/capsule/classify/detectors.js';
import { ibanValid, luhnValid } from '../../../src/secrets/capsule/classify/checksums.js';
import { classify, mergeSpans } from '../../../src/secrets/capsule/classify/classify.js';

const found = (name: DetectorName, text: string) => DETECTORS[name].find(text).map((h) => text.slice(h.start, h.end));

test('detectors find what they should and skip look-alikes', () => {
  const cases: Array<[DetectorName, string, string[]]> = [
    ['email', 'write to ann.lee+tag@mail.example.co.uk or x@y', ['ann.lee+tag@mail.example.co.uk']],
    ['phone', 'call +1 415 555 0100, (212) 555-0199 or 415.555.0100; not 12345', ['+1 415 555 0100', '(212) 555-0199', '415.555.0100']],
    ['credit_card', 'visa 4111 1111 1111 1111, bad 4111 1111 1111 1112, amex 378282246310005', ['4111 1111 1111 1111', '378282246310005']],
    ['ip_address', 'hosts 10.0.0.1 and 2001:db8::1, not 999.1.1.1 nor 12:30:45', ['10.0.0.1', '2001:db8::1']],
    ['ssn', 'ssn 078-05-1120; not 000-12-3456, 666-12-3456 or 123-00-4567', ['078-05-1120']],
    ['iban', 'pay DE89 3704 0044 0532 0130 00 or GB82WEST12345698765432, not DE00370400440532013000', ['DE89 3704 0044 0532 0130 00', 'GB82WEST12345698765432']],
    ['date', 'on 2024-03-21, 21/03/2024, March 21, 2024 and 21 March 2024; not 2024-13-01 or 31/31/2024', ['2024-03-21', '21/03/2024', 'March 21, 2024', '21 March 2024']],
    ['person_name', 'hello John Smith and Mary; not the smith or Paris', ['John', 'Smith', 'Mary']],
  ];
  for (const [name, text, expected] of cases) assert.deepEqual(found(name, text), expected, name);
});

test('person names: first and last names get their own tags', () => {
  assert.deepEqual(DETECTORS.person_name.find('James Thomas met Smith').map((h) => h.tagName.split('/').pop()), ['first_name', 'last_name', 'last_name']);
});

test('check digits', () => {
  assert.deepEqual(['79927398713', '79927398710', '4242424242424242', 'abc'].map(luhnValid), [true, false, true, false]);
  assert.deepEqual(['GB82 WEST 1234 5698 7654 32', 'GB82 WEST 1234 5698 7654 33', 'FR1420041010050500013M02606', 'XX'].map(ibanValid), [true, false, true, false]);
});

test('overlapping spans merge and carry every tag', () => {
  const t = (n: string) => ({ name: `tag.x.y/${n}`, value: '', type: 'unary' as const, source: 's', hook_version: '1.0.0' });
  assert.deepEqual(mergeSpans([{ start: 5, end: 9, tags: [t('b')] }, { start: 0, end: 6, tags: [t('a')] }, { start: 12, end: 14, tags: [t('c')] }]), [
    { start: 0, end: 9, tags: [t('a'), t('b')] },
    { start: 12, end: 14, tags: [t('c')] },
  ]);
});

test('classify: spans, field tags from match_on_key and capsule tags', () => {
  const out = classify(
    [{ fields: [{ key: 'note', value: 'ann@x.io ORD-7', tags: [], spans: [] }, { key: 'zip', value: 12345, tags: [], spans: [] }], tags: [] }],
    {
      name: 'c', description: '', detectors: ['email'],
      rules: [
        { pattern: 'ORD-(\\d+)', match_on_key: false, span_tags: [{ name: 'tag.x.y/order', type: 'number', value: '$1' }], capsule_tags: [{ name: 'tag.x.y/has-order', type: 'unary', value: '' }] },
        { pattern: '^zip$', match_on_key: true, span_tags: [{ name: 'tag.x.y/zip', type: 'string', value: '$value' }], capsule_tags: [] },
      ],
    },
  );
  const tag = (name: string, value: string, type: string, source: string) => ({ name, value, type, source, hook_version: '1.0.0' });
  // A rule's tag says whether its value was rendered from the data ($1, $value) or written in the rule.
  const ruleTag = (name: string, value: string, type: string, fromData: boolean) => ({ ...tag(name, value, type, 'create'), from_data: fromData });
  assert.deepEqual(out, {
    capsuleTags: [ruleTag('tag.x.y/has-order', '', 'unary', false)],
    records: [{
      tags: [],
      fields: [
        { key: 'note', value: 'ann@x.io ORD-7', tags: [], spans: [
          { start: 0, end: 8, tags: [tag('tag.sealtrail.io/pii/email', '', 'unary', 'email')] },
          { start: 9, end: 14, tags: [ruleTag('tag.x.y/order', '7', 'number', true)] },
        ] },
        { key: 'zip', value: 12345, tags: [ruleTag('tag.x.y/zip', '12345', 'string', true)], spans: [] },
      ],
    }],
  });
});

test('detectors scanning shared regexes give the same hits call after call, as matchAll would', () => {
  const texts = [
    'ann@example.com and bob@example.org on 2024-03-05, 10.0.0.1 and fe80::1, card 4111 1111 1111 1111',
    'no digits, no at sign, nothing',
    'Mary Smith met John at 192.168.1.20 on 5 March 2024; SSN 123-45-6789; IBAN GB82 WEST 1234 5698 7654 32',
  ];
  for (const name of Object.keys(DETECTORS) as DetectorName[]) {
    for (const text of texts) {
      const first = DETECTORS[name].find(text);
      // Interleaved with another text: no state carries from one call to the next.
      DETECTORS[name].find(texts[0]);
      assert.deepEqual(DETECTORS[name].find(text), first, `${name} on "${text.slice(0, 20)}"`);
    }
  }
  assert.deepEqual(found('ip_address', 'fe80::1 then 10.0.0.1'), ['10.0.0.1', 'fe80::1'], 'IPv4 hits come before IPv6 ones');
  assert.deepEqual(found('email', 'a@b.io a@b.io'), ['a@b.io', 'a@b.io']);
  assert.deepEqual(found('date', 'due 2024-02-30 or 2024-02-29'), ['2024-02-29']);
});

test('scanning many texts joined finds exactly what scanning each alone finds', async () => {
  const { detectInTexts } = await import('../../../src/secrets/capsule/classify/scan.js');
  // Neighbours that would change a match if the separator let them: digits, dots, dashes, colons,
  // hex, names either side of a text boundary, line feeds inside texts, empty texts.
  const texts = [
    '4111 1111', '1111 1111', 'John', 'Smith', 'Mary Smith', '10.0.0', '.1', '192.168.1.20.', '5', 'fe80:', ':1', 'ab', 'cd::1',
    '', 'James', 'Thomas', 'ann@example', '.com', 'x@y.io', '078-05-', '1120', '078-05-1120', 'GB82 WEST', '1234 5698 7654 32', '21 March', '2024',
    'on 2024-03-05\nand 2024-03-06\n', '\nJames\n', 'Thomas', '415-555-0100', '(212) 555-0199', 'DE89 3704 0044 0532 0130 00',
    'Call John Smith at 415-555-0100, mail ann.lee@example.com', '9', '1.2.3.4', '-', '@', 'Smith', 'Jones',
  ];
  // Enough texts to span several scanning batches (about 64 KiB each).
  const many = Array.from({ length: 4000 }, (_, i) => `${texts[i % texts.length]}${i % 7 === 0 ? ' Mary' : ''}`);
  for (const list of [texts, many]) {
    const names = Object.keys(DETECTORS) as DetectorName[];
    const tagOf = (name: string) => [{ name, value: '', type: 'unary' as const, source: 's', hook_version: '1.0.0' }];
    const detected = detectInTexts(names.map((n) => DETECTORS[n]), list, tagOf);
    list.forEach((text, i) => {
      const alone = names.flatMap((n) => DETECTORS[n].find(text).map((h) => [h.start, h.end, h.tagName]));
      const joined = (detected.spansOf(i) ?? []).map((s) => [s.start, s.end, s.tags[0].name]);
      assert.deepEqual(joined, alone, JSON.stringify(text));
    });
  }
});

test('the email scan finds exactly what the regular expression it replaced found', () => {
  // The pattern the email detector used to run with matchAll (right on every text, but quadratic),
  // with letters, digits and marks of any script where it had ASCII ones.
  const reference = /[A-Za-z0-9._%+\-\p{L}\p{N}\p{M}]+@[A-Za-z0-9\-\p{L}\p{N}\p{M}]+(?:\.[A-Za-z0-9\-\p{L}\p{N}\p{M}]+)*\.[A-Za-z\p{L}\p{M}]{2,}/gu;
  const pieces = ['a', 'Zq', '7', '.', '-', '_', '%', '+', '@', '@', '@', ' ', '\n', 'co', 'x.io', '.uk', 'b.cd', '.ef', 'é', '!', 'д', '.рф', '例', '٣', '\u0301', '\u00a0'];
  let seed = 0x5eed;
  const random = (n: number) => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return (seed >>> 8) % n;
  };
  let found = 0;
  for (let i = 0; i < 20_000; i++) {
    let text = '';
    for (let k = random(40); k >= 0; k--) text += pieces[random(pieces.length)];
    const expected = Array.from(text.matchAll(reference), (m) => [m.index, m.index + m[0].length]);
    assert.deepEqual(DETECTORS.email.find(text).map((h) => [h.start, h.end]), expected, JSON.stringify(text));
    found += expected.length;
  }
  assert.ok(found > 10_000, `only ${found} addresses in the generated texts`);
});

test('every detector reads hostile text in linear time', () => {
  // 64 KiB each, the classifier's batch size: a quadratic scan of one of these takes seconds.
  const n = 64 * 1024;
  const fill = (unit: string, tail = '') => unit.repeat(Math.ceil((n - tail.length) / unit.length)).slice(0, n - tail.length) + tail;
  const hostile = [
    fill('a', '@'), fill('a.', '@'), 'a@' + fill('a.'), 'a@' + fill('a-'), 'a@b' + fill('.c'), fill('a@'), fill('@'), fill('x@y.zz'),
    fill('1'), fill('1 '), fill('1-'), fill('1.'), fill('1:'), fill(':'), fill('ffff:'), fill('123-'), fill('(123) '), fill('+1 '),
    fill('A', '1'), fill('AB12 '), 'AB12' + fill('ABCD '), fill('AB12'), fill('1/'), fill('2024-'), fill('12 '), fill('January '),
    'A' + fill('a', '_'), fill('Aa-'), fill("A'"), fill('John Smith '),
  ];
  for (const name of Object.keys(DETECTORS) as DetectorName[]) {
    for (const text of hostile) {
      const start = performance.now();
      DETECTORS[name].find(text);
      const ms = performance.now() - start;
      assert.ok(ms < 1000, `${name} on ${JSON.stringify(text.slice(0, 12))}…: ${ms.toFixed(0)} ms`);
    }
  }
});

test('an email domain is read for at most 253 characters: megabytes of labels after an @ are one bounded hit, not a stack overflow', () => {
  // 8 MB of "a." after an "@": as a regex, the domain's repetition overflowed the backtracking stack.
  assert.deepEqual(DETECTORS.email.find('x@' + 'a.'.repeat(4_000_000) + 'io'), [], 'no top-level domain within 253 characters');
  const hits = DETECTORS.email.find('x@' + 'ab.'.repeat(3_000_000) + 'io');
  // The domain's 253 characters are 2..254; the last dot whose "ab" fits is at 250.
  assert.deepEqual(hits.map((h) => [h.start, h.end]), [[0, 253]]);
  // Past the limit, the last dot with two letters after it inside the first 253 characters decides.
  assert.deepEqual(DETECTORS.email.find(`me@${'b'.repeat(250)}.io`).map((h) => h.end), [3 + 253]);
  assert.deepEqual(DETECTORS.email.find(`me@${'b'.repeat(251)}.io`).map((h) => h.end), []);
});

test('detectors read letters with accents, full-width forms, Unicode dashes and spaces as the ASCII they stand for', () => {
  const context = { name: 'c', description: '', detectors: [...Object.keys(DETECTORS)] as DetectorName[], rules: [] };
  const spans = (value: string) => classify([{ fields: [{ key: 'f', value, tags: [], spans: [] }], tags: [] }], context)
    .records[0].fields[0].spans.map((s) => [value.slice(s.start, s.end), s.tags.map((t) => t.name.split('/').pop()).join()]);
  const cases: Array<[string, Array<[string, string]>]> = [
    ['José García', [['José', 'first_name'], ['García', 'last_name']]],
    ['mail jöhn.doe@exämple.org', [['jöhn.doe@exämple.org', 'email']]],
    ['mail ann＠example.org', [['ann＠example.org', 'email']]],
    ['ssn １２３-４５-６７８９', [['１２３-４５-６７８９', 'ssn']]],
    ['ssn 123\u201045\u20106789', [['123\u201045\u20106789', 'ssn']]],
    ['card 4111\u00a01111\u00a01111\u00a01111', [['4111\u00a01111\u00a01111\u00a01111', 'credit_card']]],
    ['call 415\u2011555\u20110100', [['415\u2011555\u20110100', 'phone']]],
    ['ssn \u0661\u0662\u0663-\u0664\u0665-\u0666\u0667\u0668\u0669', [['\u0661\u0662\u0663-\u0664\u0665-\u0666\u0667\u0668\u0669', 'ssn']]],
  ];
  for (const [value, expected] of cases) assert.deepEqual(spans(value), expected, value);
});

test('person names written in capitals are names too', () => {
  assert.deepEqual(found('person_name', 'PATIENT: JOHN SMITH; Jones; not THE CLINIC or PARIS'), ['JOHN', 'SMITH', 'Jones']);
  assert.deepEqual(DETECTORS.person_name.find('JAMES THOMAS').map((h) => h.tagName.split('/').pop()), ['first_name', 'last_name']);
});

test('addresses with letters of any script (internationalized mailboxes and domains) are e-mails', () => {
  assert.deepEqual(found('email', 'mail иван@пример.рф, ann@пример.рф or 用户@例子.广告; not @пример.рф'), ['иван@пример.рф', 'ann@пример.рф', '用户@例子.广告']);
});

test('IBANs and month names are found in any letter case', () => {
  assert.deepEqual(found('iban', 'pay gb82 west 1234 5698 7654 32 or de89370400440532013000, not de00370400440532013000'), ['gb82 west 1234 5698 7654 32', 'de89370400440532013000']);
  assert.deepEqual(found('date', 'born MARCH 21, 2024 or 21 march 2024'), ['MARCH 21, 2024', '21 march 2024']);
});
