/**
 * `sealtrail capsule ...`: encapsulate and load data, query the access and control logs, manage
 * write/read contexts and rotate the domain key. Output is JSON. Capsule contents and loaded data
 * go to stdout only; errors name flags and files, never their contents.
 *
 *   sealtrail capsule encapsulate --data "hello John Smith" --write-context sensitive
 *   sealtrail capsule encapsulate --file rows.json --write-context orders --field capsule > c.b64
 *   sealtrail capsule load @c.b64 --read-context support --param ticket=T-1
 *   sealtrail capsule log access --start-date 2024-03-21T00:00:00Z --num-results 20
 *   sealtrail capsule write-context write orders ctx.json   (or - for stdin)
 *   sealtrail capsule keys rotate
 */
import type { Command } from 'commander';
import { invalid } from '../../errors/index.js';
import {
  encapsulate, loadCapsule, queryAccessLog, queryControlLog, rotateDomainKey,
  type AccessLogQuery, type CapsuleClient, type CapsuleData, type TagInput,
} from '../../sdk/index.js';
import { nestsDeeper } from '../../lib/json-depth.js';
import { MAX_REQUEST_INPUT_BYTES, MAX_REQUEST_INPUT_DEPTH, readFileText, readStdinText, type StdinSource } from '../input-limits.js';
import { printableText, terminalSafeJson } from '../printable.js';

export interface CapsuleCliIo {
  stdout(text: string): void;
  /** On a terminal a field's text is shown with what would act on the terminal escaped. */
  stdoutIsTty?: boolean;
  /** A file's text; it goes to the server in a request body, so at most MAX_REQUEST_INPUT_BYTES. */
  readFile(path: string): Promise<string>;
  /** Stdin's text, bounded as readFile. */
  readStdin(): Promise<string>;
}

/** Files and stdin read with the bound of data sent in a request body. */
export function boundedCapsuleIo(stdout: (text: string) => void, stdin: StdinSource, stdoutIsTty = false): CapsuleCliIo {
  return {
    stdout,
    stdoutIsTty,
    readFile: (path) => readFileText(path, MAX_REQUEST_INPUT_BYTES),
    readStdin: () => readStdinText(stdin, MAX_REQUEST_INPUT_BYTES),
  };
}

const processIo = boundedCapsuleIo((text) => void process.stdout.write(text), { stdinChunks: () => process.stdin }, process.stdout.isTTY === true);

const collect = (value: string, previous: string[]) => [...previous, value];

function keyValue(flag: string, raw: string): [string, string] {
  const eq = raw.indexOf('=');
  if (eq <= 0) throw invalid(`--${flag} expects key=value`, 'cli_usage');
  return [raw.slice(0, eq), raw.slice(eq + 1)];
}

function parseJson(what: string, text: string): unknown {
  if (nestsDeeper(text, MAX_REQUEST_INPUT_DEPTH)) {
    throw invalid(`${what} is nested deeper than ${MAX_REQUEST_INPUT_DEPTH} levels, more than a server takes (max_request_json_depth)`, 'cli_usage');
  }
  try {
    return JSON.parse(text);
  } catch {
    throw invalid(`${what} is not valid JSON`, 'cli_usage');
  }
}

export function registerCapsuleCommands(
  program: Command,
  makeClient: () => CapsuleClient | Promise<CapsuleClient>,
  io: CapsuleCliIo = processIo,
): void {
  const capsule = program.command('capsule').description('Encrypted records whose every read is logged').option('--mount <path>', 'the capsule engine mount', 'capsule');
  const mountOf = (cmd: Command) => String(cmd.optsWithGlobals().mount ?? 'capsule');
  const print = (value: unknown, field?: string) => {
    const out = field !== undefined ? (value as Record<string, unknown>)[field] : value;
    // A field's string is printed as is, for pipes (as vault's -field); JSON with nothing a terminal acts on.
    const text = typeof out === 'string' ? (io.stdoutIsTty ? printableText(out) : out) : terminalSafeJson(JSON.stringify(out ?? null, null, 2));
    io.stdout(text + '\n');
  };
  /** `-` is stdin, `@path` or a bare path (where a file is expected) is read from disk. */
  const source = (arg: string, fileByDefault: boolean) =>
    arg === '-' ? io.readStdin() : arg.startsWith('@') ? io.readFile(arg.slice(1)) : fileByDefault ? io.readFile(arg) : Promise.resolve(arg);

  capsule
    .command('encapsulate')
    .description('Seal text (--data) or a JSON file of records or a table (--file) into a capsule')
    .option('--data <text>', 'text to encapsulate')
    .option('--file <path>', 'a JSON file: a list of records or {columns, rows} (- for stdin)')
    .option('--write-context <name>', 'the write context', 'default')
    .option('--tag <name[=value]>', 'a capsule tag (repeatable)', collect, [])
    .option('--location <where>', 'where the capsule will be stored')
    .option('--field <name>', 'print only this field (e.g. capsule)')
    .action(async (flags: { data?: string; file?: string; writeContext: string; tag: string[]; location?: string; field?: string }, cmd: Command) => {
      if ((flags.data === undefined) === (flags.file === undefined)) throw invalid('give exactly one of --data or --file', 'cli_usage');
      let data: CapsuleData;
      if (flags.data !== undefined) data = flags.data;
      else {
        const parsed = parseJson(`--file ${flags.file}`, await source(flags.file!, true));
        if (!Array.isArray(parsed) && !(parsed && typeof parsed === 'object' && 'columns' in parsed)) {
          throw invalid('--file must hold a list of records or {columns, rows}', 'cli_usage');
        }
        data = parsed as CapsuleData;
      }
      const tags: TagInput[] = flags.tag.map((t) => (t.includes('=') ? (([name, value]) => ({ name, value }))(keyValue('tag', t)) : { name: t }));
      const client = await makeClient();
      print(await encapsulate(client, data, { mount: mountOf(cmd), writeContext: flags.writeContext, tags, location: flags.location }), flags.field);
    });

  capsule
    .command('load')
    .description('Load a capsule (base64, @file or - for stdin) through a read context')
    .argument('<capsule>', 'the capsule in base64, @path to a file holding it, or -')
    .option('--read-context <name>', 'the read context', 'default')
    .option('--param <key=value>', 'a read parameter, recorded in the access log (repeatable)', collect, [])
    .option('--location <where>', 'where the capsule was read from')
    .option('--field <name>', 'print only this field (e.g. data)')
    .action(async (arg: string, flags: { readContext: string; param: string[]; location?: string; field?: string }, cmd: Command) => {
      const encoded = (await source(arg, false)).trim();
      const parameters = Object.fromEntries(flags.param.map((p) => keyValue('param', p)));
      const client = await makeClient();
      print(await loadCapsule(client, encoded, { mount: mountOf(cmd), readContext: flags.readContext, parameters, location: flags.location }), flags.field);
    });

  const log = capsule.command('log').description('Query the capsule access log or the control log');
  for (const which of ['access', 'control'] as const) {
    const c = log
      .command(which)
      .description(which === 'access' ? 'Every create, open and read of a capsule (newest first)' : 'Every context and key change (newest first)')
      .option('--start-date <rfc3339>', 'from this time (inclusive)')
      .option('--end-date <rfc3339>', 'until this time (inclusive)')
      .option('--session <accessor>', 'only records of this token accessor')
      .option('--start-from-id <id>', 'continue after this record id')
      .option('--num-results <n>', 'page size (default 100, at most 1000)')
      .option('--order <asc|desc>', 'oldest first (asc) or newest first (desc)');
    if (which === 'access') c.option('--capsule <id>', 'only this capsule').option('--operation <op>', 'create, open or read');
    c.action(async (flags: Record<string, string | undefined>, cmd: Command) => {
      const query: AccessLogQuery = {
        mount: mountOf(cmd),
        startDate: flags.startDate,
        endDate: flags.endDate,
        session: flags.session,
        startFromId: flags.startFromId,
        numResults: flags.numResults === undefined ? undefined : Number(flags.numResults),
        order: flags.order as AccessLogQuery['order'],
        capsule: flags.capsule,
        operation: flags.operation as AccessLogQuery['operation'],
      };
      const client = await makeClient();
      print(which === 'access' ? await queryAccessLog(client, query) : await queryControlLog(client, query));
    });
  }

  for (const kind of ['write-context', 'read-context'] as const) {
    const group = capsule.command(kind).description(`Manage ${kind.replace('-', ' ')}s`);
    const at = (cmd: Command, name?: string) => `${mountOf(cmd)}/${kind}/${name === undefined ? '' : encodeURIComponent(name)}`;
    group.command('list').action(async (_flags: unknown, cmd: Command) => {
      const reply = await (await makeClient()).list(at(cmd));
      print((reply?.data as { keys?: string[] } | undefined)?.keys ?? []);
    });
    group.command('read').argument('<name>').action(async (name: string, _flags: unknown, cmd: Command) => {
      print((await (await makeClient()).read(at(cmd, name)))?.data ?? null);
    });
    group
      .command('write')
      .description('Create or replace from a JSON file (- for stdin)')
      .argument('<name>')
      .argument('<file>', 'JSON definition, or - for stdin')
      .action(async (name: string, file: string, _flags: unknown, cmd: Command) => {
        const body = parseJson(file, await source(file, true));
        if (!body || typeof body !== 'object' || Array.isArray(body)) throw invalid(`${file} must hold a JSON object`, 'cli_usage');
        await (await makeClient()).write(at(cmd, name), body as Record<string, unknown>);
        io.stdout(`Success! Data written to: ${at(cmd, name)}\n`);
      });
    group.command('delete').argument('<name>').action(async (name: string, _flags: unknown, cmd: Command) => {
      await (await makeClient()).delete(at(cmd, name));
      io.stdout(`Success! Data deleted (if it existed) at: ${at(cmd, name)}\n`);
    });
  }

  const keys = capsule.command('keys').description('The domain key ring');
  keys.command('show').action(async (_flags: unknown, cmd: Command) => print((await (await makeClient()).read(`${mountOf(cmd)}/keys`))?.data ?? null));
  keys.command('rotate').description('Add a domain key version; existing capsules stay loadable').action(async (_flags: unknown, cmd: Command) => {
    print(await rotateDomainKey(await makeClient(), { mount: mountOf(cmd) }));
  });
}
