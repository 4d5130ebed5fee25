/**
 * The README's shell walkthroughs, read at test time so a changed README is a changed test: the
 * fenced `sh` and `hcl` blocks of a section, split into commands, and run one by one in bash
 * with the section's `export` lines applied and its `<placeholders>` filled in.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const repoRoot = new URL('../../', import.meta.url).pathname;

/** The text of the README section under `## <heading>`, up to the next `## `. */
export function readmeSection(heading: string): string {
  const text = readFileSync(join(repoRoot, 'README.md'), 'utf8');
  const start = text.indexOf(`\n## ${heading}\n`);
  if (start < 0) throw new Error(`README.md has no "## ${heading}" section`);
  const end = text.indexOf('\n## ', start + 1);
  return text.slice(start, end < 0 ? undefined : end);
}

/** The fenced blocks of one language in a piece of markdown, in order. */
export function fencedBlocks(markdown: string, lang: string): string[] {
  const blocks: string[] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (lines[i] !== '```' + lang) continue;
    const end = lines.indexOf('```', i + 1);
    if (end < 0) throw new Error(`unterminated \`\`\`${lang} block`);
    blocks.push(lines.slice(i + 1, end).join('\n'));
    i = end;
  }
  return blocks;
}

/** Commands quoted inline in the prose (`curl ... $SEALTRAIL_ADDR/...`) that name the server, so they can be run. */
export function inlineCommands(markdown: string, program: string): string[] {
  return [...markdown.matchAll(/`([^`\n]+)`/g)].map((m) => m[1]).filter((c) => c.startsWith(`${program} `) && c.includes('$SEALTRAIL_ADDR'));
}

/** Shell commands: one per line, a here-document kept with its line; comment and blank lines dropped. */
export function shellCommands(block: string): string[] {
  const commands: string[] = [];
  const lines = block.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line.trim() === '' || line.trim().startsWith('#')) continue;
    const heredoc = /<<-?'?(\w+)'?/.exec(line);
    if (!heredoc) {
      commands.push(line);
      continue;
    }
    const end = lines.indexOf(heredoc[1], i + 1);
    if (end < 0) throw new Error(`here-document ${heredoc[1]} is not closed`);
    commands.push(lines.slice(i, end + 1).join('\n'));
    i = end;
  }
  return commands;
}

export interface Ran {
  command: string;
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface Walkthrough {
  /** Every command run so far, in order. */
  ran: Ran[];
  /** Runs one README command (exports are remembered for the ones after it); rejects unless it exits 0. */
  run(command: string): Promise<Ran>;
}

export interface WalkthroughOptions {
  cwd: string;
  /** The environment the commands start from (no variables of the test process leak in). */
  env: Record<string, string>;
  /** Literal text → its replacement (paths, the listen address). */
  replace: Array<[string, string]>;
  /** `<name>` → how to find its value in the output of the commands run before. */
  placeholders: Record<string, (ran: Ran[]) => string | undefined>;
  timeoutMs: number;
}

/** Every `<placeholder>` in a command is filled in; an unknown or still unresolvable one is an error. */
function fill(command: string, opts: WalkthroughOptions, ran: Ran[]): string {
  let out = command;
  for (const [from, to] of opts.replace) out = out.split(from).join(to);
  return out.replace(/<([A-Za-z][\w ]*)>/g, (whole, name: string) => {
    const find = opts.placeholders[name];
    if (!find) throw new Error(`the README uses ${whole}, which this test does not know how to fill in: ${command}`);
    const value = find(ran);
    if (value === undefined) throw new Error(`nothing run before "${command}" printed ${whole}`);
    return value;
  });
}

export function walkthrough(opts: WalkthroughOptions): Walkthrough {
  const ran: Ran[] = [];
  const exports: string[] = [];
  return {
    ran,
    async run(command) {
      const line = fill(command.replaceAll('./bin/sealtrail', join(repoRoot, 'bin/sealtrail')), opts, ran);
      const script = ['set -euo pipefail', ...exports, line].join('\n');
      const result = await new Promise<Ran>((resolve) => {
        execFile('bash', ['-c', script], { cwd: opts.cwd, env: opts.env, timeout: opts.timeoutMs, maxBuffer: 4 << 20 }, (err, stdout, stderr) => {
          const code = err ? (typeof err.code === 'number' ? err.code : null) : 0;
          resolve({ command, code, stdout, stderr });
        });
      });
      ran.push(result);
      if (result.code !== 0) throw new Error(`README command failed (exit ${result.code}): ${command}\n${result.stderr}${result.stdout}`);
      if (/^export\s/.test(line)) exports.push(line);
      return result;
    },
  };
}

/** The environment a README user's shell would have: a PATH, an empty home, no cloud metadata. */
export function userEnv(home: string): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    HOME: home,
    LANG: 'C.UTF-8',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_PAGER: '',
  };
}
