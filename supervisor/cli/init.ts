/**
 * `steward init [DIR] [--from SOURCE] [--scripts a,b] [--config PATH] [--force] [--dry-run] [--json] [--yes]`:
 * create steward.yaml from what the workspace already has. Exit 0 done (or
 * dry run), 1 nothing written (existing file without --force, missing or
 * malformed source) or the result has errors to fix before `steward up`
 * (written all the same, to be edited), 2 usage error.
 */
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { checkConfigText } from '../config/check';
import { importWorkspace, locateSource } from '../import/importWorkspace';
import { failureReport, successReport, textReport, type InitOutcome } from '../import/initReport';
import { ImportError } from '../import/model';
import { defaultScripts, readPackageScripts } from '../import/packageJson';

const USAGE = `usage: steward init [DIR] [--from SOURCE] [--scripts a,b] [--config PATH] [--force] [--dry-run] [--json] [--yes]

Creates DIR/steward.yaml (DIR: the current directory) from the workspace's
process-compose.yaml, Procfile, PM2 ecosystem.config.{js,cjs,mjs,json} or package.json scripts
(the first found, in that order). Sources are read as data, never run.
  --from SOURCE   process-compose | Procfile | pm2 | package.json, or a path to such a file
                  (from the current directory, as --config)
  --scripts a,b   package.json: the scripts to import (default: the long-running dev ones)
  --config PATH   write this file instead of DIR/steward.yaml (worker cwds relative to it)
  --force, -f     overwrite an existing steward.yaml
  --dry-run       print the YAML on stdout instead of writing it
  --json          print the outcome as JSON (InitReport) on stdout
  --yes, -y       do not ask which scripts (never asked when stdin is not a terminal)
`;

interface InitArgs {
  dir?: string;
  config?: string;
  from?: string;
  scripts?: string[];
  force: boolean;
  dryRun: boolean;
  json: boolean;
  yes: boolean;
}

const FLAGS: Record<string, 'force' | 'dryRun' | 'json' | 'yes'> = {
  '--force': 'force',
  '-f': 'force',
  '--dry-run': 'dryRun',
  '--json': 'json',
  '--yes': 'yes',
  '-y': 'yes',
};

export async function runInit(args: string[]): Promise<number> {
  const parsed = parseArgs(args);
  if (typeof parsed === 'string') {
    if (parsed === 'help') process.stdout.write(USAGE);
    else process.stderr.write(`steward init: ${parsed}\n${USAGE}`);
    return parsed === 'help' ? 0 : 2;
  }
  try {
    const outcome = await init(parsed);
    if (parsed.json) process.stdout.write(`${JSON.stringify(successReport(outcome), null, 2)}\n`);
    else if (parsed.dryRun) process.stdout.write(outcome.imported.yaml);
    if (!parsed.json) (parsed.dryRun ? process.stderr : process.stdout).write(textReport(outcome, process.cwd()));
    return outcome.diagnostics.some((diagnostic) => diagnostic.severity === 'error') ? 1 : 0;
  } catch (error) {
    if (!(error instanceof ImportError)) throw error;
    if (parsed.json) process.stdout.write(`${JSON.stringify(failureReport(error), null, 2)}\n`);
    process.stderr.write(`steward init: ${error.describe()}\nNothing was written.\n`);
    return 1;
  }
}

async function init(args: InitArgs): Promise<InitOutcome> {
  const dir = resolve(args.dir ?? '.');
  const config = args.config === undefined ? join(dir, 'steward.yaml') : resolve(args.config);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new ImportError(dir, 'not a directory');
  const mayWrite = !args.dryRun;
  if (mayWrite && !args.force && existsSync(config)) throw new ImportError(config, 'already exists; use --force to overwrite it');
  const askable = !args.json && !args.yes && args.scripts === undefined && process.stdin.isTTY === true;
  const scripts = askable ? await askForScripts(dir, fromPath(args.from)) : args.scripts;
  const imported = importWorkspace(dir, { from: fromPath(args.from), scripts, configDir: dirname(config) });
  const { diagnostics } = checkConfigText(imported.yaml, config);
  if (mayWrite) writeConfig(config, imported.yaml, args.force);
  return { imported, config, written: mayWrite, diagnostics };
}

/** `--from app/Procfile` is a path from the current directory, as --config is; a bare word (`Procfile`, `pm2`) names a kind in DIR. */
function fromPath(from: string | undefined): string | undefined {
  return from !== undefined && from.includes('/') && existsSync(resolve(from)) ? resolve(from) : from;
}

/** `wx` unless --force: a steward.yaml that appeared meanwhile is still not overwritten. */
function writeConfig(config: string, yaml: string, force: boolean): void {
  try {
    writeFileSync(config, yaml, { flag: force ? 'w' : 'wx' });
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    throw new ImportError(config, code === 'EEXIST' ? 'already exists; use --force to overwrite it' : `cannot write: ${message}`);
  }
}

/** On a terminal, for package.json: list the scripts, preselect the dev ones, let the person change the pick. */
async function askForScripts(dir: string, from: string | undefined): Promise<string[] | undefined> {
  const { kind, source } = locateSource(dir, from);
  if (kind !== 'package.json') return undefined;
  const scripts = readPackageScripts(readFileSync(source, 'utf8'), 'package.json');
  const picks = defaultScripts(scripts);
  const width = Math.max(...Object.keys(scripts).map((name) => name.length));
  const listing = Object.entries(scripts).map(([name, command]) => `  ${picks.includes(name) ? '*' : ' '} ${name.padEnd(width)}  ${command}`);
  process.stderr.write(`package.json scripts (* = long-running, picked by default):\n${listing.join('\n')}\n`);
  const prompt = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await prompt.question(`Scripts to run as workers, comma-separated [${picks.join(',')}]: `);
    return answer.trim() === '' ? picks : splitList(answer);
  } finally {
    prompt.close();
  }
}

function parseArgs(args: string[]): InitArgs | string {
  const result: InitArgs = { force: false, dryRun: false, json: false, yes: false };
  for (let index = 0; index < args.length; index++) {
    const [arg, inline] = args[index].startsWith('--') && args[index].includes('=') ? args[index].split(/=(.*)/s) : [args[index]];
    if (arg === '-h' || arg === '--help') return 'help';
    if (FLAGS[arg] && inline === undefined) result[FLAGS[arg]] = true;
    else if (arg === '--from' || arg === '--scripts' || arg === '--config') {
      const value = inline ?? args[++index];
      if (!value) return `${arg} needs a value`;
      if (arg === '--scripts') result.scripts = splitList(value);
      else result[arg === '--from' ? 'from' : 'config'] = value;
    } else if (arg.startsWith('-')) return `unknown option '${args[index]}'`;
    else if (result.dir !== undefined) return 'give one directory';
    else result.dir = arg;
  }
  return result;
}

function splitList(text: string): string[] {
  return text.split(/[\s,]+/).filter((item) => item !== '');
}
