// The console's figures: first render of a 1,000-record timeline in headless Chromium (from the
// navigation to the list rendered, read from the page's own performance mark), and the production
// bundle's size gzipped (dist/ui's JS and CSS, zlib level 9 as a web server would send them).
// Run alone: `npm run build && node bench/console.mjs` (BENCH_CONSOLE_RUNS, default 7).
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { api, fmt, root, startChild } from './lib.mjs';

const RECORDS = 1000;

/** Every JS and CSS file of the built console, with its gzipped size. */
export function bundleSizes(dir = join(root, 'dist', 'ui', 'assets')) {
  const files = readdirSync(dir).filter((f) => f.endsWith('.js') || f.endsWith('.css'));
  return files.map((f) => {
    const data = readFileSync(join(dir, f));
    return { file: f, bytes: data.length, gzipBytes: gzipSync(data, { level: 9 }).length };
  });
}

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

export async function benchConsole({ runs = 7 } = {}) {
  if (!existsSync(join(root, 'dist', 'ui', 'index.html'))) throw new Error('dist/ui is missing: run npm run build');
  const dir = mkdtempSync(join(tmpdir(), 'sealtrail-bench-console-'));
  const server = await startChild(['bin/sealtrail', 'server', '-dev', '-dev-listen-address=127.0.0.1:0', `-dev-data-dir=${dir}`, '-log-level=error']);
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
  try {
    // One token's writes: a request and a response record each, so its accessor names exactly 1,000.
    const created = await api(server.address, server.token, 'POST', 'auth/token/create', { policies: ['root'] });
    const { client_token: token, accessor } = created.auth;
    for (let i = 0; i < RECORDS / 2; i++) await api(server.address, token, 'POST', `secret/data/bench/${i}`, { data: { n: String(i) } });

    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(`${server.address}/ui/`);
    await page.fill('#token', server.token);
    await page.click('button[type=submit]');
    await page.waitForSelector('.topbar');
    const url = `${server.address}/ui/?accessor=${encodeURIComponent(accessor)}`;
    const times = [];
    let count = 0;
    for (let run = 0; run < runs; run++) {
      await page.goto(url);
      const mark = await page.waitForFunction(() => {
        const m = performance.getEntriesByName('sealtrail:timeline-rendered').find((e) => e.detail?.count > 0);
        return m && { ms: m.startTime, count: m.detail.count };
      }, undefined, { timeout: 30_000 });
      const { ms, count: shown } = await mark.jsonValue();
      times.push(ms);
      count = shown;
    }
    const sizes = bundleSizes();
    const gzip = sizes.reduce((n, s) => n + s.gzipBytes, 0);
    const raw = sizes.reduce((n, s) => n + s.bytes, 0);
    const table = [
      '| measure | value | target |', '|---|---:|---:|',
      `| first render of a ${fmt(count)}-record timeline (navigation → list rendered), median of ${runs} | ${fmt(median(times))} ms (min ${fmt(Math.min(...times))}, max ${fmt(Math.max(...times))}) | < 1,000 ms |`,
      `| production bundle, JS + CSS gzipped | ${fmt(gzip / 1000, 1)} kB (${fmt(raw / 1000, 1)} kB raw, ${sizes.length} files) | ≤ 300 kB |`,
    ].join('\n');
    return { table, renderMs: median(times), count, gzipBytes: gzip, rawBytes: raw };
  } finally {
    await browser.close();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await benchConsole({ runs: Number(process.env.BENCH_CONSOLE_RUNS ?? 7) });
  console.log(r.table);
}
