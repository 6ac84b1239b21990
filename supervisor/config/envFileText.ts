/**
 * Reading an env file (envFiles.ts) for the checker, and again for the
 * no-op reload's fast path, which must notice an edited file.
 */
import { readFileSync, statSync } from 'node:fs';

/** Far beyond any real .env; a bound so that a path to a large file fails in words instead of slowing every check. */
const MAX_ENV_FILE_BYTES = 1 << 20;

export type EnvFileText = { text: string } | { code: string; problem: string };

/**
 * The text of the file at an absolute path, or why it cannot be used. Only
 * a regular file is read: a FIFO or device in its place must not hang the
 * master's check.
 */
export function readEnvFileText(absolute: string): EnvFileText {
  try {
    const stat = statSync(absolute);
    if (!stat.isFile()) return { code: 'not-a-file', problem: stat.isDirectory() ? 'is a directory' : 'is not a regular file' };
    if (stat.size > MAX_ENV_FILE_BYTES) return { code: 'env-file-too-large', problem: `is ${stat.size} bytes, more than an env file can be (1 MiB)` };
    return { text: readFileSync(absolute, 'utf8') };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { code: 'missing-env-file', problem: 'does not exist' };
    return { code: 'unreadable-env-file', problem: `cannot be read (${code ?? (error as Error).message})` };
  }
}

/** Whether every file still holds the text it was checked with (the no-op reload's fast path). */
export function envFilesUnchanged(texts: Readonly<Record<string, string>>): boolean {
  return Object.entries(texts).every(([file, text]) => {
    const now = readEnvFileText(file);
    return 'text' in now && now.text === text;
  });
}
