/**
 * `steward check [FILE] [--json] [--config PATH]`: validate steward.yaml
 * without running anything. Exit 0 valid (warnings allowed), 1 invalid,
 * 2 usage error or unreadable file.
 */
import { isAbsolute, relative } from 'node:path';
import { loadConfigFile } from '../config/load';
import { findConfigUpward } from '../config/locate';
import type { ConfigDiagnostic } from '../config/model';

const USAGE = 'usage: steward check [FILE] [--json] [--config PATH]\n';

interface CheckArgs {
  file?: string;
  json: boolean;
}

export async function runCheck(args: string[]): Promise<number> {
  const parsed = parseArgs(args);
  if (parsed === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  if (typeof parsed === 'string') return usageError(parsed);
  const file = parsed.file ?? findConfigUpward(process.cwd());
  if (file === undefined) return usageError(`no steward.yaml found in ${process.cwd()} or any parent directory`);
  const loaded = await loadConfigFile(file);
  if (loaded.kind === 'unreadable') {
    process.stderr.write(`steward: ${loaded.error.message}\n`);
    // A program reading --json still gets JSON: one problem, about the whole file.
    const whole: ConfigDiagnostic = { severity: 'error', code: 'unreadable', message: loaded.error.message, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } };
    if (parsed.json) process.stdout.write(`${JSON.stringify([jsonDiagnostic(whole, displayPath(file))], null, 2)}\n`);
    return 2;
  }
  const shown = displayPath(file);
  const { diagnostics, config } = loaded.parsed;
  process.stdout.write(parsed.json ? `${JSON.stringify(diagnostics.map((d) => jsonDiagnostic(d, shown)), null, 2)}\n` : textReport(diagnostics, shown, config?.workers.length));
  return diagnostics.some((diagnostic) => diagnostic.severity === 'error') ? 1 : 0;
}

function parseArgs(args: string[]): CheckArgs | string {
  const result: CheckArgs = { json: false };
  for (let index = 0; index < args.length; index++) {
    const arg = args[index];
    if (arg === '-h' || arg === '--help') return 'help';
    if (arg === '--json') result.json = true;
    else if (arg === '--config' || arg.startsWith('--config=')) {
      const value = arg === '--config' ? args[++index] : arg.slice('--config='.length);
      if (!value) return '--config needs a path';
      if (result.file !== undefined) return 'give the config file once (FILE or --config PATH)';
      result.file = value;
    } else if (arg.startsWith('-')) return `unknown option '${arg}'`;
    else if (result.file !== undefined) return 'give the config file once (FILE or --config PATH)';
    else result.file = arg;
  }
  return result;
}

function usageError(message: string): number {
  process.stderr.write(`steward check: ${message}\n${USAGE}`);
  return 2;
}

/** Relative to the current directory when the file is under it, as compilers print paths. */
function displayPath(file: string): string {
  const fromHere = relative(process.cwd(), file);
  return fromHere && !fromHere.startsWith('..') && !isAbsolute(fromHere) ? fromHere : file;
}

function textReport(diagnostics: ConfigDiagnostic[], file: string, workers: number | undefined): string {
  const lines = diagnostics.map(({ range, severity, message }) => `${file}:${range.start.line + 1}:${range.start.character + 1}: ${severity}: ${message}\n`);
  return lines.join('') + `${summary(diagnostics, file, workers)}\n`;
}

function summary(diagnostics: ConfigDiagnostic[], file: string, workers: number | undefined): string {
  const count = (severity: string) => diagnostics.filter((diagnostic) => diagnostic.severity === severity).length;
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  const [errors, warnings] = [count('error'), count('warning')];
  if (errors > 0) return `${file}: invalid: ${plural(errors, 'error')}, ${plural(warnings, 'warning')}`;
  const note = warnings > 0 ? ` (${plural(warnings, 'warning')})` : '';
  return `${file}: valid, ${plural(workers ?? 0, 'worker')}${note}`;
}

function jsonDiagnostic({ range, severity, message, code, suggestion }: ConfigDiagnostic, file: string) {
  return {
    file,
    line: range.start.line + 1,
    column: range.start.character + 1,
    endLine: range.end.line + 1,
    endColumn: range.end.character + 1,
    severity,
    message,
    code,
    ...(suggestion === undefined ? {} : { suggestion }),
  };
}
