/**
 * Reading steward.yaml from disk. Every way the file can be unusable
 * (missing, a directory, no permission, …) becomes a clear located error,
 * never an exception: the master turns it into wait mode, the CLI into a
 * one-line message.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { LocatedError } from '../../shared/protocol';
import { checkConfigText, type CheckOptions, type ParsedConfig } from './check';

export { toLocatedError } from './located';

export type LoadedConfig =
  | { kind: 'parsed'; parsed: ParsedConfig; text: string }
  | { kind: 'unreadable'; error: LocatedError };

export async function loadConfigFile(file: string, options: CheckOptions = {}): Promise<LoadedConfig> {
  const absolute = resolve(file);
  let text: string;
  try {
    text = await readFile(absolute, 'utf8');
  } catch (error) {
    return { kind: 'unreadable', error: { message: unreadableMessage(error, absolute), file: absolute } };
  }
  return { kind: 'parsed', parsed: checkConfigText(text, absolute, options), text };
}

const REASONS: Record<string, string> = {
  ENOENT: 'config file not found',
  ENOTDIR: 'config file not found (a parent is not a directory)',
  EISDIR: 'config file is a directory',
  EACCES: 'config file is not readable (permission denied)',
  EPERM: 'config file is not readable (operation not permitted)',
  ELOOP: 'config file is a symbolic link loop',
  ENAMETOOLONG: 'config file name is too long',
};

function unreadableMessage(error: unknown, file: string): string {
  const code = (error as NodeJS.ErrnoException).code ?? '';
  const reason = (Object.hasOwn(REASONS, code) ? REASONS[code] : undefined) ?? `cannot read config file (${code || (error as Error).message})`;
  return `${reason}: ${file}`;
}
