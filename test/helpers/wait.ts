/** Polling for a condition in tests, instead of sleeping for a guessed time. */

/** Polls `check` every 100 ms until it holds; fails after `ms`, naming `what`. */
export async function waitFor(check: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
