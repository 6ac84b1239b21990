/**
 * Reading steward.yaml from disk. Every way the file can be unusable
 * (missing, a directory, no permission, …) becomes a clear located error,
 * never an exception: the master turns it into wait mode, the CLI into a
 * one-line message.
 */
import { constants, type Stats } from 'node:fs';
import { open } from 'node:fs/promises';
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
    text = await readRegularFile(absolute);
  } catch (error) {
    // Located at the file's start: every reload error has a line and column, as the status contract shows.
    return { kind: 'unreadable', error: { message: unreadableMessage(error, absolute), file: absolute, line: 1, column: 1 } };
  }
  return configFromText(text, absolute, options);
}

/** The checked config of `text`, already read from `file` (a reload that compared it with the running one first). */
export function configFromText(text: string, file: string, options: CheckOptions = {}): LoadedConfig {
  return { kind: 'parsed', parsed: checkConfigText(text, resolve(file), options), text };
}

/**
 * Reads a regular file only. O_NONBLOCK because opening a FIFO that nobody
 * writes to would block (a thread of the pool, and with it the reload)
 * forever; a device such as /dev/zero would never end.
 *
 * Every step is a hop through the thread pool (0.1–0.2 ms each on a busy
 * machine, and a reload waits for all of them), so the file is read in one
 * read of the size its stat gave plus a byte that shows nothing follows
 * (readFile takes three hops: another stat, the read, a read of nothing),
 * and the reader does not wait for the close.
 *
 * The text is returned as editors show it: without a UTF-8 byte order mark,
 * so line-1 columns match the editor's and the text equals an open buffer's.
 */
export async function readRegularFile(file: string): Promise<string> {
  return withoutByteOrderMark(await readWholeFile(file));
}

function withoutByteOrderMark(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

async function readWholeFile(file: string): Promise<string> {
  const handle = await open(file, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const info = await handle.stat();
    if (info.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    if (!info.isFile()) throw new NotRegularFileError(info);
    const buffer = Buffer.allocUnsafe(info.size + 1);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    // More than the stat said: it grew meanwhile; read it to its end like any file.
    return bytesRead <= info.size ? buffer.toString('utf8', 0, bytesRead) : await handle.readFile('utf8');
  } finally {
    handle.close().catch(() => undefined);
  }
}

class NotRegularFileError extends Error {
  readonly code = 'ENOTREG';

  constructor(info: Stats) {
    const kind = info.isFIFO() ? 'a FIFO' : info.isSocket() ? 'a socket' : info.isCharacterDevice() || info.isBlockDevice() ? 'a device' : 'special';
    super(`config file is not a regular file (${kind})`);
  }
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
  if (error instanceof NotRegularFileError) return `${error.message}: ${file}`;
  const code = (error as NodeJS.ErrnoException).code ?? '';
  const reason = (Object.hasOwn(REASONS, code) ? REASONS[code] : undefined) ?? `cannot read config file (${code || (error as Error).message})`;
  return `${reason}: ${file}`;
}
