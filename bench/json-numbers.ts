/**
 * What keeping numbers digit for digit costs (lib/json-text.ts), in process, on a typical ~200-byte
 * KV write body: JSON.parse/JSON.stringify (bare), parseJson/stringifyJson on that body (the fast
 * path: nothing in it needs keeping) and on the same body with one 20-digit number (the slow path),
 * and a 1 MiB body of strings with one such number, decoded from bytes each time (the slow path's
 * scan skips strings natively).
 * Figures are ratios to bare, so they compare across machines.
 *
 *   node --import tsx bench/json-numbers.ts          # BENCH_ITERATIONS (default 200000), rounds of 5
 */
import { parseJson, stringifyJson } from '../src/lib/json-text.js';

const ORDINARY = '{"data":{"username":"svc-payments","password":"correct-horse-battery-staple-91c2","host":"db.internal.example","port":5432,"ratio":0.75,"enabled":true,"tags":["a","b"],"retries":3}}';
const WITH_BIG = ORDINARY.replace('"retries":3', '"retries":12345678901234567890');

/** Nanoseconds per call of `fn`, the median of `rounds` timed runs of `n` calls. */
function nsPerCall(fn: () => unknown, n: number, rounds = 5): number {
  const times: number[] = [];
  let sink = 0;
  for (let r = 0; r < rounds; r++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < n; i++) if (fn() !== undefined) sink++;
    times.push(Number(process.hrtime.bigint() - start) / n);
  }
  if (sink < 0) console.log(sink);
  return times.sort((a, b) => a - b)[Math.floor(rounds / 2)];
}

export function benchJsonNumbers(iterations = 200_000): string {
  const ordinary = JSON.parse(ORDINARY) as unknown;
  const withBig = parseJson(WITH_BIG);
  // Warm every path up before timing.
  nsPerCall(() => parseJson(WITH_BIG), iterations / 10, 1);
  nsPerCall(() => stringifyJson(withBig), iterations / 10, 1);
  const rows: Array<[string, number, number]> = [];
  const parseBare = nsPerCall(() => JSON.parse(ORDINARY), iterations);
  rows.push(['parse, ordinary body (fast path)', nsPerCall(() => parseJson(ORDINARY), iterations), parseBare]);
  rows.push(['parse, one 20-digit number (slow path)', nsPerCall(() => parseJson(WITH_BIG), iterations), parseBare]);
  const stringifyBare = nsPerCall(() => JSON.stringify(ordinary), iterations);
  rows.push(['stringify, ordinary value (fast path)', nsPerCall(() => stringifyJson(ordinary), iterations), stringifyBare]);
  rows.push(['stringify, one kept number (slow path)', nsPerCall(() => stringifyJson(withBig), iterations), stringifyBare]);
  const large = `{"data":{${Array.from({ length: 64 }, (_, i) => `"k${i}":"${'x'.repeat(16 * 1024 - 16)}"`).join(',')},"n":12345678901234567890}}`;
  const few = Math.max(5, Math.floor(iterations / 2000));
  // Decoded afresh each time, as a request body is: V8 parses a string it has parsed before faster.
  const bytes = Buffer.from(large);
  const largeBare = nsPerCall(() => JSON.parse(bytes.toString('utf8')), few);
  rows.push([`parse, ${(large.length / 1048576).toFixed(1)} MiB of strings, one kept number`, nsPerCall(() => parseJson(bytes.toString('utf8')), few), largeBare]);
  const lines = [`body: ${ORDINARY.length} bytes; ratio to JSON.parse / JSON.stringify of the ordinary body`];
  for (const [name, ns, bare] of rows) lines.push(`${name.padEnd(42)} ${(ns / bare).toFixed(2)}x  (${ns.toFixed(0)} ns vs ${bare.toFixed(0)} ns)`);
  return lines.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(benchJsonNumbers(Number(process.env.BENCH_ITERATIONS ?? 200_000)));
}
