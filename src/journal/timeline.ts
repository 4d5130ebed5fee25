/**
 * A timeline: every record of the requests a subject took part in, oldest first, grouped per
 * request, read in parts of at most `limit` records and MAX_PAGE_CHARS of text.
 *
 * A part is planned before any text is read. The places of the records (seq, time, request and
 * correlation id, size; never the text) are found first: the subject's own records (the seeds),
 * those sharing their correlation ids, and every record of each of those requests. A story is a
 * seed with everything it joins (seeds sharing a request or a correlation id share a story), and
 * it starts at its earliest seed or correlated record. Stories are shown whole, by their start;
 * the part ends before the first one that would pass the limit or the budget, and the next part
 * starts at that story's start, where its seeds and correlated records are all in range again
 * (and its requests are joined whatever their time). The first story is shown whatever its size,
 * so every part moves on. Only then are the chosen records read.
 *
 * A part's continuation (`next`) is that start as a (time, seq) position, with the seq the first
 * part saw: the next part reads from that very record in the first part's snapshot, so records
 * sharing one nanosecond across the cut are each shown once, and none arriving meanwhile shifts it.
 */
import { invalid } from '../errors/index.js';
import { MAX_PAGE, MAX_PAGE_CHARS, type JournalFilter, type JournalPlace, type JournalPosition, type JournalRecord, type JournalStore } from './types.js';

/** What a timeline follows: exactly one of these. */
export const TIMELINE_SUBJECTS = ['entity_id', 'accessor', 'correlation_id', 'request_id'] as const;

export interface TimelineGroup {
  requestId: string | null;
  records: JournalRecord[];
}

/** Where a part starts: its first story's start (inclusive), in the snapshot of the timeline's first part. */
export interface TimelineStart {
  start: JournalPosition;
  throughSeq: number;
}

export interface Timeline {
  groups: TimelineGroup[];
  /** The timeline goes on past this part (cut by `limit` or by MAX_PAGE_CHARS of text). */
  truncated: boolean;
  /**
   * When truncated: the `since` of the next part, the start of the first story not shown (a record
   * of that very nanosecond already shown is shown again, none is skipped).
   */
  nextSinceNs?: bigint;
  /** When truncated: the exact start of the next part (pass it as `from`). */
  next?: TimelineStart;
}

/** A timeline's time bounds (inclusive): the subject's records and those it joins by correlation id. */
export interface TimelineRange {
  sinceNs?: bigint;
  untilNs?: bigint;
}

/** Most requests or records one query names (SQLite's bound-parameter budget). */
const JOIN_BATCH = 500;
/**
 * Most places a part's request join reads: a request the server answered has a few records, so
 * only imported records sharing request ids reach it. A request whose places are not all read is
 * shown only as a part's first story, with the places read.
 */
const MAX_JOINED_PLACES = 20 * MAX_PAGE;

type Subject = NonNullable<JournalFilter['keys']>;

interface Story {
  start: JournalPlace;
  places: Map<number, JournalPlace>;
  bytes: number;
  whole: boolean;
}

const before = (a: JournalPosition, b: JournalPosition) => a.timeNs < b.timeNs || (a.timeNs === b.timeNs && a.seq < b.seq);

/** Every place of `requestIds`, paged; `incomplete` names the requests whose places were not all read. */
async function requestPlaces(store: JournalStore, requestIds: readonly string[], throughSeq: number): Promise<{ places: JournalPlace[]; incomplete: Set<string> }> {
  const places: JournalPlace[] = [];
  const incomplete = new Set<string>();
  for (let i = 0; i < requestIds.length; i += JOIN_BATCH) {
    const batch = requestIds.slice(i, i + JOIN_BATCH);
    let after: JournalPlace | undefined;
    for (;;) {
      const room = MAX_JOINED_PLACES - places.length;
      if (room <= 0) {
        for (const id of requestIds.slice(i)) incomplete.add(id);
        return { places, incomplete };
      }
      const page = await store.locate({ requestIds: batch, order: 'asc', limit: Math.min(room, MAX_PAGE), throughSeq, after });
      places.push(...page);
      if (page.length < Math.min(room, MAX_PAGE)) break;
      after = page.at(-1);
    }
  }
  return { places, incomplete };
}

/** Groups seeds into stories (a union of their requests and correlation ids) and gives each its places. */
function stories(seeds: readonly JournalPlace[], correlated: readonly JournalPlace[], joined: readonly JournalPlace[], incomplete: ReadonlySet<string>, ownCorrelationId: string | undefined): Story[] {
  const parent = new Map<string, string>();
  const root = (key: string): string => {
    let at = key;
    while (parent.has(at) && parent.get(at) !== at) at = parent.get(at)!;
    parent.set(key, at);
    return at;
  };
  const unite = (a: string, b: string | undefined) => {
    if (b === undefined) return;
    const [ra, rb] = [root(a), root(b)];
    if (ra !== rb) parent.set(rb, ra);
  };
  const requestKey = (p: JournalPlace) => (p.requestId === undefined ? undefined : `r:${p.requestId}`);
  const storyKey = (p: JournalPlace) => requestKey(p) ?? `s:${p.seq}`;
  for (const p of seeds) {
    root(storyKey(p));
    if (p.correlationId !== undefined && p.correlationId !== ownCorrelationId) unite(storyKey(p), `c:${p.correlationId}`);
  }
  for (const p of correlated) unite(`c:${p.correlationId!}`, requestKey(p));
  const byRoot = new Map<string, Story>();
  const place = (p: JournalPlace, key: string, starts: boolean) => {
    const r = root(key);
    let story = byRoot.get(r);
    if (!story) {
      story = { start: p, places: new Map(), bytes: 0, whole: true };
      byRoot.set(r, story);
    }
    if (starts && before(p, story.start)) story.start = p;
    if (p.requestId !== undefined && incomplete.has(p.requestId)) story.whole = false;
    if (story.places.has(p.seq)) return;
    story.places.set(p.seq, p);
    story.bytes += p.bytes;
  };
  for (const p of seeds) place(p, storyKey(p), true);
  for (const p of correlated) place(p, requestKey(p) ?? `c:${p.correlationId!}`, true);
  for (const p of joined) place(p, requestKey(p)!, false);
  return [...byRoot.values()].sort((a, b) => (before(a.start, b.start) ? -1 : 1));
}

/**
 * The stories an earlier part showed: those with a record naming the subject (within the range)
 * before `start`, by request or by correlation id. A part shows every story that starts before its
 * cut, whole, so such a story was shown by the part that read that record.
 */
async function shownEarlier(store: JournalStore, subject: Subject, range: TimelineRange, start: JournalPosition, throughSeq: number, all: readonly Story[]): Promise<Set<Story>> {
  const shown = new Set<Story>();
  const storyOf = new Map<number, Story>();
  for (const story of all) {
    for (const p of story.places.values()) if (before(p, start)) storyOf.set(p.seq, story);
  }
  const earlier = [...storyOf.keys()];
  for (let i = 0; i < earlier.length; i += JOIN_BATCH) {
    const batch = earlier.slice(i, i + JOIN_BATCH);
    for (const p of await store.locate({ keys: subject, ...range, seqs: batch, order: 'asc', limit: batch.length, throughSeq })) shown.add(storyOf.get(p.seq)!);
  }
  if (subject.correlationId !== undefined) return shown;
  for (const story of all) {
    if (shown.has(story)) continue;
    const ids = new Set([...story.places.values()].map((p) => p.correlationId).filter((id): id is string => id !== undefined));
    for (const id of ids) {
      const named = await store.locate({ keys: { ...subject, correlationId: id }, ...range, order: 'desc', limit: 1, throughSeq, after: start });
      if (named.length > 0) {
        shown.add(story);
        break;
      }
    }
  }
  return shown;
}

/** The first of the subject's records from `from` on (inclusive) that is not in `skip`. */
async function firstNotIn(store: JournalStore, subject: Subject, range: TimelineRange, from: JournalPlace, throughSeq: number, skip: ReadonlySet<number>): Promise<JournalPlace | undefined> {
  let after: JournalPosition = { timeNs: from.timeNs, seq: from.seq - 1 };
  for (;;) {
    const page = await store.locate({ keys: subject, ...range, order: 'asc', limit: MAX_PAGE, throughSeq, after });
    const fresh = page.find((p) => !skip.has(p.seq));
    if (fresh || page.length < MAX_PAGE) return fresh;
    after = page.at(-1)!;
  }
}

/** The records of `seqs`, oldest first. */
async function recordsOf(store: JournalStore, seqs: readonly number[], throughSeq: number): Promise<JournalRecord[]> {
  const records: JournalRecord[] = [];
  for (let i = 0; i < seqs.length; i += JOIN_BATCH) {
    const batch = seqs.slice(i, i + JOIN_BATCH);
    records.push(...await store.query({ seqs: batch, order: 'asc', limit: batch.length, throughSeq }));
  }
  return records.sort((a, b) => (a.timeNs === b.timeNs ? a.seq - b.seq : a.timeNs < b.timeNs ? -1 : 1));
}

function grouped(records: readonly JournalRecord[]): TimelineGroup[] {
  const groups: TimelineGroup[] = [];
  const open = new Map<string, TimelineGroup>();
  for (const r of records) {
    const id = r.keys.requestId;
    let group = id !== undefined ? open.get(id) : undefined;
    if (!group) {
      group = { requestId: id ?? null, records: [] };
      groups.push(group);
      if (id !== undefined) open.set(id, group);
    }
    group.records.push(r);
  }
  return groups;
}

/**
 * Every record of the requests `subject` took part in within `range`, oldest first: its own
 * records, those of requests sharing its correlation ids (in the range too), and the whole of each
 * of those requests (a request that straddles a bound is shown whole). A timeline longer than
 * `limit` records or MAX_PAGE_CHARS of text goes on from `next` (or, less exactly, `nextSinceNs`).
 */
export async function timeline(store: JournalStore, subject: Subject, limit = MAX_PAGE, range: TimelineRange = {}, from?: TimelineStart): Promise<Timeline> {
  if (Object.values(subject).filter((v) => v !== undefined).length !== 1) {
    throw invalid(`a timeline follows exactly one of ${TIMELINE_SUBJECTS.join(', ')}`, 'journal_invalid_filter');
  }
  let shown = await part(store, subject, limit, range, from);
  // A part whose stories were all shown by earlier ones (records interleaved across the cut) is passed over.
  while (shown.groups.length === 0 && shown.next) shown = await part(store, subject, limit, range, shown.next);
  return shown;
}

async function part(store: JournalStore, subject: Subject, limit: number, range: TimelineRange, from: TimelineStart | undefined): Promise<Timeline> {
  const throughSeq = from?.throughSeq ?? await store.lastSeq();
  // Exclusive, so the position just before the start.
  const after: JournalPosition | undefined = from && { timeNs: from.start.timeNs, seq: from.start.seq - 1 };
  const found = await store.locate({ keys: subject, ...range, order: 'asc', limit: limit + 1, throughSeq, after });
  // A seed past the limit is where the next part starts, should every story before it be shown.
  const horizon: JournalPlace | undefined = found[limit];
  const seeds = found.slice(0, limit);
  // An attestation's correlation id brings in its challenge (init), which no token or entity names.
  const correlationIds = new Set(seeds.map((p) => p.correlationId).filter((id): id is string => id !== undefined));
  if (subject.correlationId !== undefined) correlationIds.delete(subject.correlationId);
  const correlated: JournalPlace[] = [];
  for (const id of correlationIds) correlated.push(...await store.locate({ keys: { correlationId: id }, ...range, order: 'asc', limit: limit + 1, throughSeq, after }));
  const requestIds = [...new Set([...seeds, ...correlated].map((p) => p.requestId).filter((id): id is string => id !== undefined))];
  const { places: joined, incomplete } = await requestPlaces(store, requestIds, throughSeq);

  const all = stories(seeds, correlated, joined, incomplete, subject.correlationId);
  const earlier = from ? await shownEarlier(store, subject, range, from.start, throughSeq, all) : new Set<Story>();
  const shown: number[] = [];
  let bytes = 0;
  let next: JournalPlace | undefined = horizon;
  for (const story of all) {
    if (earlier.has(story)) continue;
    const first = shown.length === 0;
    if (!first && (!story.whole || shown.length + story.places.size > limit || bytes + story.bytes > MAX_PAGE_CHARS)) {
      next = story.start;
      break;
    }
    shown.push(...story.places.keys());
    bytes += story.bytes;
  }
  if (next === horizon && horizon) {
    // The next part starts at a record no part has shown yet.
    const skip = new Set([...shown, ...[...earlier].flatMap((story) => [...story.places.keys()])]);
    next = await firstNotIn(store, subject, range, horizon, throughSeq, skip);
  }
  const groups = grouped(await recordsOf(store, [...new Set(shown)], throughSeq));
  if (!next) return { groups, truncated: false };
  return { groups, truncated: true, nextSinceNs: next.timeNs, next: { start: { timeNs: next.timeNs, seq: next.seq }, throughSeq } };
}
