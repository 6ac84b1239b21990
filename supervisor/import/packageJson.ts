/**
 * package.json scripts → workers. Each chosen script becomes `npm run <script>`,
 * except one that starts several processes (concurrently, run-p): that one
 * becomes a worker per process, with the names the tool would show.
 */
import { ImportError, type ImportNote, type ImportResult, type ImportedWorker, escapeRegExp, isRecord, shellWord, toWorkerName, uniqueName } from './model';
import { splitParallelScript } from './parallelScript';

/** Name segments of scripts that run a long-lived development process. */
const LONG_RUNNING = new Set(['dev', 'develop', 'development', 'start', 'serve', 'server', 'watch']);
/** Name segments of scripts that are not development workers even when they watch. */
const NOT_WORKERS = new Set(['test', 'tests', 'lint', 'prod', 'production', 'ci', 'e2e', 'format', 'typecheck', 'preview']);
const PATH_INDEPENDENT = new Set(['npm', 'npx', 'yarn', 'pnpm', 'bun', 'node', 'deno']);
/** `npm run x`, `yarn x` (yarn, pnpm and bun run a script without `run`), `npm:x`…; only names that are scripts count. */
const RUN_REFERENCE = /(?:(?:npm|yarn|pnpm|bun) run|node --run|(?:yarn|pnpm|bun)(?= )|(?:npm|yarn|pnpm|bun|node):)\s*([^\s"'&|;]+)/g;

/** The `scripts` of a package.json; throws ImportError with a line for invalid JSON. */
export function readPackageScripts(text: string, file: string): Record<string, string> {
  const parsed = parseJson(text, file);
  const scripts = isRecord(parsed) ? parsed.scripts : undefined;
  if (!isRecord(scripts)) throw new ImportError(file, 'has no "scripts" object');
  return Object.fromEntries(Object.entries(scripts).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}

/**
 * The scripts `steward init` picks when not told: long-running ones by name
 * (`dev`, `start`, `serve`, `watch`, `dev:api`, `api:dev`, …), minus lifecycle
 * hooks, minus scripts another pick already runs, minus `start` next to a `dev`
 * (by convention `start` is then the production server).
 */
export function defaultScripts(scripts: Record<string, string>): string[] {
  const candidates = Object.keys(scripts).filter((name) => looksLongRunning(name) && !isLifecycleHook(name, scripts));
  const covered = new Set(candidates.flatMap((name) => referencedScripts(name, scripts)));
  const uncovered = candidates.filter((name) => !covered.has(name));
  const picks = uncovered.length > 0 ? uncovered : candidates;
  const hasDev = picks.some((name) => segments(name).some((segment) => segment.startsWith('dev')));
  return picks.filter((name) => !(hasDev && name === 'start'));
}

export function importPackageJson(text: string, file: string, chosen?: string[]): ImportResult {
  const scripts = readPackageScripts(text, file);
  const picks = chosen ?? defaultScripts(scripts);
  const missing = picks.filter((name) => !(name in scripts));
  if (missing.length > 0) {
    throw new ImportError(file, `no script named ${missing.map((name) => `'${name}'`).join(', ')} (scripts: ${Object.keys(scripts).join(', ')})`);
  }
  if (picks.length === 0) {
    throw new ImportError(file, `no script looks like a long-running dev process; name them with --scripts (scripts: ${Object.keys(scripts).join(', ') || 'none'})`);
  }
  const workers: ImportedWorker[] = [];
  const notes: ImportNote[] = [];
  const names = new Set<string>();
  for (const script of picks) {
    for (const worker of workersOfScript(script, scripts, text, file, notes)) {
      if (workers.some((existing) => existing.command === worker.command)) continue;
      const wanted = worker.name;
      worker.name = uniqueName(wanted, names);
      if (worker.name !== wanted) notes.push({ file, line: worker.line, worker: worker.name, message: `'${wanted}' is taken by another worker: named '${worker.name}'` });
      names.add(worker.name);
      workers.push(worker);
    }
  }
  return { kind: 'package.json', file, workers, notes };
}

function workersOfScript(script: string, scripts: Record<string, string>, text: string, file: string, notes: ImportNote[]): ImportedWorker[] {
  const line = lineOfScript(text, script);
  const split = splitParallelScript(scripts[script], scripts);
  if (!split) return [{ name: toWorkerName(script), command: `npm run ${script}`, line }];
  // `npm run dev` runs `predev` first; its parts started one by one do not.
  if (`pre${script}` in scripts) notes.push({ file, line: lineOfScript(text, `pre${script}`), message: `script 'pre${script}', which npm runs before '${script}', is not run by the workers: run it once by hand, or make it a worker the others depend on` });
  const env = Object.keys(split.env).length > 0 ? split.env : undefined;
  const workers = split.parts.map((part) => ({ name: toWorkerName(part.name), command: withPackageBins(part.command), line, ...(env && { env }) }));
  notes.push({
    file,
    line,
    message: `script '${script}' runs ${split.tool}: one worker per command (${workers.map((worker) => worker.name).join(', ')})`,
  });
  const wrapped = workers.filter((worker, index) => worker.command !== split.parts[index].command).map((worker) => worker.name);
  const pathNote = `${wrapped.join(', ')} run${wrapped.length === 1 ? 's' : ''} through \`npm exec -c\`, which puts node_modules/.bin on PATH as npm run does`;
  for (const message of [...split.notes, ...(wrapped.length > 0 ? [pathNote] : [])]) notes.push({ file, line, message: `script '${script}': ${message}` });
  return workers;
}

/**
 * Under `npm run`, node_modules/.bin is on PATH, so a part such as `tsc -w`
 * finds the project's own tsc; `npm exec -c` gives the worker the same PATH.
 * Package managers, runtimes and explicit paths need no help.
 */
function withPackageBins(command: string): string {
  const program = command.trim().split(/\s+/)[0];
  if (PATH_INDEPENDENT.has(program) || program.includes('/')) return command;
  return `npm exec -c ${shellWord(command)}`;
}

function looksLongRunning(name: string): boolean {
  const parts = segments(name);
  return parts.some((part) => LONG_RUNNING.has(part)) && !parts.some((part) => NOT_WORKERS.has(part));
}

/** `predev` and `postdev` run with `dev` by themselves. */
function isLifecycleHook(name: string, scripts: Record<string, string>): boolean {
  const match = /^(pre|post)(.+)$/.exec(name);
  return match !== null && match[2] in scripts;
}

function segments(name: string): string[] {
  return name.toLowerCase().split(/[:\-_.]/);
}

/** Scripts that running `script` starts too (by `npm run x`, `npm:x`, or as parts of concurrently / run-p). */
function referencedScripts(script: string, scripts: Record<string, string>): string[] {
  const split = splitParallelScript(scripts[script], scripts);
  const commands = split ? split.parts.map((part) => part.command) : [scripts[script]];
  return commands
    .flatMap((command) => [...command.matchAll(RUN_REFERENCE)].map((match) => match[1]))
    .filter((name) => name !== script && name in scripts);
}

function lineOfScript(text: string, script: string): number | undefined {
  const offset = text.search(new RegExp(`${escapeRegExp(JSON.stringify(script))}\\s*:`));
  return offset < 0 ? undefined : text.slice(0, offset).split('\n').length;
}

/** JSON.parse, its mistake an ImportError at the line and column of the problem when JSON.parse gives an offset. */
export function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw jsonError(text, file, error as Error);
  }
}

/** JSON.parse reports an offset ("at position 120"); turn it into a line and column. */
function jsonError(text: string, file: string, error: Error): ImportError {
  const position = /at position (\d+)/.exec(error.message);
  const message = `invalid JSON: ${error.message.replace(/ in JSON at position \d+.*$/s, '')}`;
  if (!position) return new ImportError(file, message);
  const before = text.slice(0, Number(position[1])).split('\n');
  return new ImportError(file, message, before.length, before[before.length - 1].length + 1);
}
