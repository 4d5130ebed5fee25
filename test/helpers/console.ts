/**
 * For the console's browser tests and bench: the built console (dist/ui, built here when missing
 * or older than ui/) and a headless Chromium (playwright-core driving the system's browser).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';

const root = new URL('../../', import.meta.url).pathname;
export const UI_DIST = join(root, 'dist', 'ui');

function newest(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(full) : statSync(full).mtimeMs);
  }
  return t;
}

/**
 * The built console: dist/ui when it is newer than ui/ (as `npm test` leaves it), else a fresh
 * build in a temporary directory of this process (about 5 s) — never a rebuild of dist/ui under
 * another test file's server.
 */
export function ensureConsoleBuilt(): string {
  const index = join(UI_DIST, 'index.html');
  if (existsSync(index) && newest(join(root, 'ui')) <= statSync(index).mtimeMs) return UI_DIST;
  const out = mkdtempSync(join(tmpdir(), 'sealtrail-ui-build-'));
  process.once('exit', () => rmSync(out, { recursive: true, force: true }));
  execFileSync(process.execPath, [join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', join(root, 'ui', 'vite.config.ts'), '--logLevel', 'warn', '--outDir', out, '--emptyOutDir'], { cwd: root, stdio: 'inherit' });
  return out;
}

/** The Chromium binary: $CHROMIUM_PATH, else /usr/bin/chromium, else `chromium` on the PATH. */
export function chromiumPath(): string {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  if (existsSync('/usr/bin/chromium')) return '/usr/bin/chromium';
  try {
    return execFileSync('sh', ['-c', 'command -v chromium || command -v chromium-browser'], { encoding: 'utf8' }).trim();
  } catch {
    return 'chromium';
  }
}

/** Launches headless Chromium (with `args` added), or fails with how to install it (never a silent skip). */
export async function launchChromium(args: string[] = []): Promise<Browser> {
  const executablePath = chromiumPath();
  try {
    // --no-sandbox: CI containers run as root, where Chromium's sandbox cannot start.
    return await chromium.launch({ executablePath, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage', ...args] });
  } catch (err) {
    throw new Error(`Chromium could not start (${executablePath}): install it with \`apt-get install chromium\`, or set CHROMIUM_PATH. ${(err as Error).message.split('\n')[0]}`);
  }
}
