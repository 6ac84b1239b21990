/**
 * Recognises a package.json script that starts several processes at once with
 * `concurrently` or `npm-run-all --parallel` / `run-p`, and returns one part
 * per process so each can become its own worker. Anything else (operators,
 * `run-s`, other programs) is not split: the script stays one worker.
 */
import { parse as parseShell } from 'shell-quote';
import { runConcurrently } from './concurrently';

export interface ScriptPart {
  /** The name the tool shows for this process (not yet a worker name). */
  name: string;
  command: string;
}

export interface ParallelScript {
  tool: 'concurrently' | 'npm-run-all';
  parts: ScriptPart[];
  /** Variables assigned before the tool (`FOO=1 concurrently …`, `cross-env FOO=1 …`). */
  env: Record<string, string>;
  /** Options of the tool that steward does not reproduce. */
  notes: string[];
}

/** Words that only launch the tool (`npx concurrently`, `cross-env X=1 run-p …`). */
const LAUNCHERS = new Set(['npx', 'pnpx', 'bunx', 'pnpm', 'yarn', 'exec', 'dlx', 'cross-env', '-y', '--yes', '--no-install', '--']);
const ENV_ASSIGNMENT = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s;

export function splitParallelScript(commandLine: string, scripts: Record<string, string>): ParallelScript | undefined {
  const words = shellWords(commandLine);
  if (!words) return undefined;
  const env: Record<string, string> = {};
  let index = 0;
  for (; index < words.length; index++) {
    const assignment = ENV_ASSIGNMENT.exec(words[index]);
    if (assignment) env[assignment[1]] = assignment[2];
    else if (!LAUNCHERS.has(words[index])) break;
  }
  const [tool, ...args] = words.slice(index);
  const split = tool === 'concurrently' || tool === 'conc' ? runConcurrently(args, scripts) : runNpmRunAll(tool, args, scripts);
  return split && split.parts.length > 0 ? { ...split, env } : undefined;
}

/** The words of a simple command; undefined when the line uses operators, redirections or comments. */
function shellWords(commandLine: string): string[] | undefined {
  const words: string[] = [];
  for (const entry of parseShell(commandLine, (name) => `$${name}`)) {
    if (typeof entry === 'string') words.push(entry);
    else if ('op' in entry && entry.op === 'glob') words.push(entry.pattern);
    else return undefined;
  }
  return words;
}

const NPM_RUN_ALL_VALUE_OPTIONS = new Set(['--max-parallel', '--npm-path']);

/**
 * `run-p a b` and `npm-run-all --parallel a b` run scripts in parallel; patterns
 * use npm-run-all's globs (`watch:*` matches one `:` segment, `**` several).
 * A sequential group (`run-s`, or tasks before `-p`) means the script is not split.
 */
function runNpmRunAll(tool: string | undefined, args: string[], scripts: Record<string, string>): Omit<ParallelScript, 'env'> | undefined {
  if (tool !== 'run-p' && tool !== 'npm-run-all') return undefined;
  let parallel = tool === 'run-p';
  const parts: ScriptPart[] = [];
  const notes: string[] = [];
  for (let index = 0; index < args.length; index++) {
    const arg = args[index];
    if (arg === '-p' || arg === '--parallel') parallel = true;
    else if (arg === '-s' || arg === '--sequential' || arg === '--serial') parallel = false;
    else if (NPM_RUN_ALL_VALUE_OPTIONS.has(arg)) index++;
    else if (arg === '-r' || arg === '--race') notes.push(`${tool} ${arg}: steward keeps the other workers running when one exits`);
    else if (arg.startsWith('-')) continue;
    else if (!parallel) return undefined;
    else parts.push(...matchingScripts(arg, scripts));
  }
  return { tool: 'npm-run-all', parts, notes };
}

function matchingScripts(task: string, scripts: Record<string, string>): ScriptPart[] {
  const [pattern, ...taskArgs] = task.split(' ');
  const args = taskArgs.length > 0 ? ` ${taskArgs.join(' ')}` : '';
  const matcher = npmRunAllGlob(pattern);
  return Object.keys(scripts)
    .filter((script) => matcher.test(script))
    .map((script) => ({ name: script, command: `npm run ${script}${args}` }));
}

function npmRunAllGlob(pattern: string): RegExp {
  const source = pattern
    .split(/(\*\*|\*)/)
    .map((piece) => (piece === '**' ? '.+' : piece === '*' ? '[^:]+' : piece.replace(/[.+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`);
}
