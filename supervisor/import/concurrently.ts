/**
 * The arguments of a `concurrently` invocation → one part per command, with
 * the names it would show (`-n api,web`), its `npm:` / `yarn:` / `pnpm:` /
 * `bun:` / `node:` / `deno:` shortcuts and its script wildcards expanded as
 * concurrently itself does (`npm:watch-*`, `npm:lint:*(!fix)`).
 */
import { escapeRegExp } from './model';
import type { ParallelScript, ScriptPart } from './parallelScript';

/** Options that take a value; every other option is a flag. */
const VALUE_OPTIONS = new Set([
  '-n', '--names', '--name-separator', '-c', '--prefix-colors', '-p', '--prefix', '-l', '--prefix-length',
  '-t', '--timestamp-format', '-m', '--max-processes', '--restart-tries', '--restart-after', '-s', '--success',
  '--default-input-target', '--kill-signal', '--hide', '--teardown',
]);

/** Behaviour steward does not reproduce; display options (colours, prefixes) are silently dropped. */
const UNSUPPORTED: Record<string, string> = {
  '-k': 'steward keeps the other workers running when one exits',
  '--kill-others': 'steward keeps the other workers running when one exits',
  '--kill-others-on-fail': 'steward keeps the other workers running when one fails',
  '--restart-tries': "each worker's restart policy applies instead",
  '-m': 'steward starts every worker',
  '--max-processes': 'steward starts every worker',
  '--teardown': 'not translated',
  '-P': 'passthrough arguments are not translated',
  '--passthrough-arguments': 'passthrough arguments are not translated',
  '--kill-signal': 'set stop.signal per worker instead',
};

const SHORTCUT = /^(npm|yarn|pnpm|bun|node|deno):(\S+)(.*)$/s;
const RUNNER = /^((?:npm|yarn|pnpm|bun) run|node --run|deno task) (\S+)(.*)$/s;
const RUNNER_OF_SHORTCUT: Record<string, string> = {
  npm: 'npm run', yarn: 'yarn run', pnpm: 'pnpm run', bun: 'bun run', node: 'node --run', deno: 'deno task',
};
/** `yarn dev`, `pnpm dev`, `bun dev`: a script run without `run` — when the word is a script (`yarn install` is not). */
const IMPLICIT_RUNNER = /^(yarn|pnpm|bun) (\S+)(.*)$/s;
const OMISSION = /\(!([^)]+)\)/;

interface Options {
  names: string[];
  commands: string[];
  notes: string[];
}

export function runConcurrently(args: string[], scripts: Record<string, string>): Omit<ParallelScript, 'env'> {
  const { names, commands, notes } = readOptions(args);
  const parts = commands.flatMap((command, index) => expandCommand(command, names[index] || undefined, scripts));
  return { tool: 'concurrently', parts, notes };
}

function readOptions(args: string[]): Options {
  const values = new Map<string, string>();
  const commands: string[] = [];
  const notes: string[] = [];
  for (let index = 0; index < args.length; index++) {
    const [option, inline] = splitInlineValue(args[index]);
    if (!option.startsWith('-') || option === '-') {
      commands.push(args[index]);
      continue;
    }
    const value = VALUE_OPTIONS.has(option) ? (inline ?? args[++index] ?? '') : undefined;
    if (value !== undefined) values.set(option, value);
    if (UNSUPPORTED[option]) notes.push(`concurrently ${option}${value === undefined ? '' : ` ${value}`}: ${UNSUPPORTED[option]}`);
  }
  const separator = values.get('--name-separator') ?? ',';
  const names = (values.get('-n') ?? values.get('--names') ?? '').split(separator).map((name) => name.trim());
  return { names, commands, notes };
}

function splitInlineValue(arg: string): [string, string | undefined] {
  const equals = arg.indexOf('=');
  return arg.startsWith('--') && equals > 0 ? [arg.slice(0, equals), arg.slice(equals + 1)] : [arg, undefined];
}

function expandCommand(command: string, name: string | undefined, scripts: Record<string, string>): ScriptPart[] {
  const shortcut = SHORTCUT.exec(command);
  const implicit = IMPLICIT_RUNNER.exec(command);
  const run = shortcut
    ? [RUNNER_OF_SHORTCUT[shortcut[1]], shortcut[2], shortcut[3]]
    : (RUNNER.exec(command)?.slice(1) ?? (implicit && implicit[2] in scripts ? implicit.slice(1) : undefined));
  if (!run) return [{ name: name ?? firstWord(command), command }];
  const [runner, script, args] = run;
  if (!script.includes('*')) return [{ name: name ?? script, command: `${runner} ${script}${args}` }];
  return expandWildcard(script, name ?? '', scripts).map((match) => ({
    name: match.name || match.script,
    command: `${runner} ${match.script}${args}`,
  }));
}

/** As concurrently: `*` matches anything; the match (after an explicit name as prefix) names the part. */
function expandWildcard(glob: string, prefix: string, scripts: Record<string, string>): { script: string; name: string }[] {
  const omission = OMISSION.exec(glob)?.[1];
  const bare = glob.replace(OMISSION, '');
  const star = bare.indexOf('*');
  const matcher = new RegExp(`^${escapeRegExp(bare.slice(0, star))}(.*?)${escapeRegExp(bare.slice(star + 1))}$`);
  return Object.keys(scripts).flatMap((script) => {
    if (omission && new RegExp(omission).test(script)) return [];
    const match = matcher.exec(script);
    return match ? [{ script, name: prefix + match[1] }] : [];
  });
}

function firstWord(command: string): string {
  const word = command.trim().split(/\s+/)[0] ?? '';
  return word.slice(word.lastIndexOf('/') + 1);
}
