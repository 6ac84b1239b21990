/**
 * `steward init`'s engine: find (or take) the source in a workspace, read it
 * with the matching importer, and render steward.yaml. Reads files only —
 * no source is ever executed — and writes nothing.
 */
import { parse } from 'dotenv';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { emitStewardYaml } from './emit';
import { ImportError, type ImportNote, type ImportResult, type ImportedWorker, type SourceKind } from './model';
import { importPackageJson, parseJson } from './packageJson';
import { importPm2 } from './pm2';
import { importProcessCompose } from './processCompose';
import { importProcfile } from './procfile';

export interface ImportOptions {
  /** A kind (`process-compose`, `Procfile`, `pm2`, `package.json`, …) or a path to the source file. */
  from?: string;
  /** package.json only: the scripts to import instead of the default pick. */
  scripts?: string[];
  /** Where steward.yaml will live, if not in `dir`: worker cwds are made relative to it. */
  configDir?: string;
}

export interface WorkspaceImport {
  result: ImportResult;
  /** Absolute path of the source file. */
  source: string;
  yaml: string;
}

/** Auto-detection order: the most specific process description wins. */
const SOURCE_FILES: readonly { kind: SourceKind; files: readonly string[] }[] = [
  { kind: 'process-compose', files: ['process-compose.yaml', 'process-compose.yml'] },
  { kind: 'procfile', files: ['Procfile.dev', 'Procfile'] },
  { kind: 'pm2', files: ['ecosystem.config.js', 'ecosystem.config.cjs', 'ecosystem.config.mjs', 'ecosystem.config.json', 'ecosystem.json'] },
  { kind: 'package.json', files: ['package.json'] },
];

const KIND_ALIASES: Record<string, SourceKind> = {
  'process-compose': 'process-compose',
  procfile: 'procfile',
  pm2: 'pm2',
  ecosystem: 'pm2',
  'package.json': 'package.json',
  package: 'package.json',
  npm: 'package.json',
};

/** Imports from `dir` (absolute); throws ImportError for a missing or malformed source. */
export function importWorkspace(dir: string, options: ImportOptions = {}): WorkspaceImport {
  const { kind, source } = locateSource(dir, options.from);
  const label = relative(dir, source) || basename(source);
  let text: string;
  try {
    text = readFileSync(source, 'utf8');
  } catch (error) {
    throw new ImportError(label, `cannot read: ${(error as Error).message}`);
  }
  const found = loadedDotenv(kind, source);
  const read = readSource(kind, text, label, source, { scripts: options.scripts, basePort: found === undefined ? undefined : dotenvPort(found) });
  const configDir = options.configDir ?? dir;
  const dotenv = read.dotenvDisabled ? undefined : found;
  const said = [...(dotenv ? [dotenvNote(kind, dotenv, dir, configDir)] : []), ...choiceNotes(dir, kind, label, options)];
  const notes = [...read.notes, ...said].sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  const rebased = rebaseCwds(read, dirname(source), configDir);
  const workers = dotenv ? rebased.workers.map((worker) => ({ ...worker, envFile: relative(configDir, dotenv) })) : rebased.workers;
  const result = { ...rebased, workers, notes };
  return { result, source, yaml: emitStewardYaml(result, label) };
}

/** What the choice of source left out: other sources found beside it (auto-detected), --scripts given for another kind. */
function choiceNotes(dir: string, kind: SourceKind, label: string, options: ImportOptions): ImportNote[] {
  const notes: ImportNote[] = [];
  if (options.scripts !== undefined && kind !== 'package.json') notes.push({ file: label, message: `--scripts applies to package.json; ignored for ${label}` });
  if (options.from !== undefined) return notes;
  const others = SOURCE_FILES.filter((entry) => entry.kind !== kind)
    .flatMap((entry) => entry.files)
    .filter((name) => isFile(join(dir, name)));
  if (others.length > 0) notes.push({ file: label, message: `also found ${others.join(', ')}: not imported (steward init --from picks another)` });
  return notes;
}

/** `basePort`: a Procfile's first PORT when foreman would not start at 5000 (a PORT in its .env). */
function readSource(kind: SourceKind, text: string, label: string, source: string, { scripts, basePort }: { scripts?: string[]; basePort?: number }): ImportResult {
  switch (kind) {
    case 'process-compose':
      return importProcessCompose(text, label);
    case 'procfile':
      return importProcfile(text, label, basePort);
    case 'pm2': {
      // A JSON ecosystem file is the same object literal: checked as JSON (a mistake is reported as JSON's),
      // then read as an export, which keeps its lines (the prefix is on line 1).
      const isJson = source.endsWith('.json');
      if (isJson) parseJson(text, label);
      return importPm2(isJson ? `module.exports = ${text}` : text, label, (script, cwd) => isFile(resolve(dirname(source), cwd ?? '.', script)));
    }
    case 'package.json':
      return importPackageJson(text, label, scripts);
  }
}

/** The source `steward init` would read: `from` as a kind or a path, else the first found in SOURCE_FILES order. */
export function locateSource(dir: string, from: string | undefined): { kind: SourceKind; source: string } {
  const kind = from === undefined ? undefined : KIND_ALIASES[from.toLowerCase()];
  if (from !== undefined && kind === undefined) return { kind: kindOfPath(from), source: resolve(dir, from) };
  const candidates = SOURCE_FILES.filter((entry) => kind === undefined || entry.kind === kind);
  for (const candidate of candidates) {
    const file = candidate.files.map((name) => resolve(dir, name)).find(isFile);
    if (file) return { kind: candidate.kind, source: file };
  }
  const wanted = candidates.flatMap((candidate) => candidate.files).join(', ');
  throw new ImportError(dir, `nothing to import: found none of ${wanted}`);
}

/** `--from path/to/Procfile`: the format follows from the file name. */
function kindOfPath(path: string): SourceKind {
  const name = basename(path);
  const found = SOURCE_FILES.find((entry) => entry.files.includes(name))?.kind;
  if (found) return found;
  if (/^process-compose.*\.ya?ml$/.test(name)) return 'process-compose';
  if (/^Procfile/.test(name)) return 'procfile';
  if (/^ecosystem.*\.([cm]?js|json)$/.test(name)) return 'pm2';
  throw new ImportError(path, `unknown source '${path}': use --from process-compose, Procfile, pm2 or package.json, or a file named like one of ${SOURCE_FILES.flatMap((entry) => entry.files).join(', ')}`);
}

/** Source cwds are relative to the source file; steward's to the config file. */
function rebaseCwds(result: ImportResult, sourceDir: string, configDir: string): ImportResult {
  if (sourceDir === configDir) return result;
  const rebase = (worker: ImportedWorker): ImportedWorker => {
    if (worker.cwd !== undefined && isAbsolute(worker.cwd)) return worker;
    return { ...worker, cwd: relative(configDir, resolve(sourceDir, worker.cwd ?? '.')) || undefined };
  };
  return { ...result, workers: result.workers.map(rebase) };
}

/** The .env beside the source file, when the tool the source is for loads it (foreman, honcho, process-compose do). */
function loadedDotenv(kind: SourceKind, source: string): string | undefined {
  const dotenv = join(dirname(source), '.env');
  return (kind === 'procfile' || kind === 'process-compose') && isFile(dotenv) ? dotenv : undefined;
}

/** foreman numbers its processes' PORT from the .env's PORT, when it sets one. */
function dotenvPort(dotenv: string): number | undefined {
  let port: number;
  try {
    port = Number(parse(readFileSync(dotenv)).PORT);
  } catch {
    return undefined; // unreadable: steward check will say so at its env_file
  }
  return Number.isInteger(port) && port > 0 && port < 65_536 ? port : undefined;
}

function dotenvNote(kind: SourceKind, dotenv: string, dir: string, configDir: string): ImportNote {
  const loads = kind === 'procfile' ? 'foreman and honcho load' : 'process-compose loads';
  return { file: relative(dir, dotenv), message: `${loads} this file: every worker reads it too (env_file: ${relative(configDir, dotenv)}; its own env wins)` };
}

function isFile(path: string): boolean {
  return existsSync(path) && statSync(path).isFile();
}
