/** Strings with a meaning: command lines, directories, URLs, regular expressions, signal names. */
import { constants } from 'node:os';
import { isAbsolute, resolve } from 'node:path';
import type { CheckContext } from './context';
import type { OutlineEntry } from './outline';
import { closest, didYouMean } from './suggest';

type Format = 'command' | 'directory' | 'url' | 'regex';

export function readFormattedString(value: string, format: Format, ctx: CheckContext, entry: OutlineEntry): string | undefined {
  const range = entry.valueRange ?? entry.keyRange;
  const problem = FORMAT_CHECKS[format](value, ctx);
  if (problem === undefined) return format === 'directory' ? resolve(ctx.dir, value) : value;
  ctx.error(problem.code, range, problem.message);
  return undefined;
}

type FormatCheck = (value: string, ctx: CheckContext) => { code: string; message: string } | undefined;

const FORMAT_CHECKS: Record<Format, FormatCheck> = {
  command: (value) => (value.trim() === '' ? { code: 'empty-command', message: 'the command is empty' } : undefined),
  directory: checkDirectory,
  url: checkHttpUrl,
  regex: checkRegex,
};

function checkDirectory(value: string, ctx: CheckContext) {
  const absolute = resolve(ctx.dir, value);
  const shown = isAbsolute(value) ? `'${value}'` : `'${value}' (${absolute})`;
  const kind = ctx.pathKind(absolute);
  if (kind === 'directory') return undefined;
  if (kind === 'other') return { code: 'not-a-directory', message: `cwd ${shown} is not a directory` };
  return { code: 'missing-directory', message: `cwd directory ${shown} does not exist` };
}

function checkHttpUrl(value: string) {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return { code: 'invalid-url', message: `'${value}' is not a valid URL (expected e.g. http://127.0.0.1:3000/health)` };
  }
  if (url.protocol === 'http:' || url.protocol === 'https:') return undefined;
  return { code: 'invalid-url', message: `'${value}' is not an http or https URL` };
}

/** Where a valid http(s) URL connects to (brackets of an IPv6 literal removed): readiness probes, the replica check. */
export function httpAddress(url: string): { host: string; port: number } {
  const parsed = new URL(url);
  const port = Number(parsed.port) || (parsed.protocol === 'https:' ? 443 : 80);
  return { host: parsed.hostname.replace(/^\[(.*)\]$/, '$1'), port };
}

function checkRegex(value: string) {
  try {
    new RegExp(value);
    return undefined;
  } catch (error) {
    const reason = (error as Error).message.split(': ').pop() ?? 'invalid';
    return { code: 'invalid-regex', message: `invalid regular expression '${value}': ${reason.charAt(0).toLowerCase()}${reason.slice(1)}` };
  }
}

const SIGNALS = Object.keys(constants.signals);

/** A POSIX signal name, `TERM` or `SIGTERM` (any case), normalised to `SIGTERM`. */
export function readSignal(value: string | undefined, ctx: CheckContext, entry: OutlineEntry): NodeJS.Signals | undefined {
  if (value === undefined) return undefined;
  const upper = value.trim().toUpperCase();
  const name = upper.startsWith('SIG') ? upper : `SIG${upper}`;
  if (SIGNALS.includes(name)) return name as NodeJS.Signals;
  const suggestion = closest(name, SIGNALS);
  ctx.error('invalid-signal', entry.valueRange ?? entry.keyRange, `unknown signal '${value}'${didYouMean(suggestion)}`, suggestion);
  return undefined;
}

export const SIGNAL_NAMES: readonly string[] = SIGNALS;
