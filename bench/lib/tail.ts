/** Follows a growing log file (how PM2 and supervisord deliver worker output) line by line. */
import { closeSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import type { OutputReader } from '../tools/tool';
import { delay } from './timing';

const CHUNK_BYTES = 1 << 20;

/** Calls `onLine` for every complete line appended to `path` (which may not exist yet); resolves to a stop. */
export function tailLines(path: string, onLine: (text: string) => void): () => Promise<void> {
  let stopped = false;
  const done = (async () => {
    let fd: number | null = null;
    let offset = 0;
    let partial = '';
    const buffer = Buffer.alloc(CHUNK_BYTES);
    while (!stopped) {
      try {
        fd ??= openSync(path, 'r');
      } catch {
        await delay(5);
        continue;
      }
      const bytes = readSync(fd, buffer, 0, CHUNK_BYTES, offset);
      if (bytes === 0) {
        await delay(5);
        continue;
      }
      offset += bytes;
      const lines = (partial + buffer.toString('latin1', 0, bytes)).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) onLine(line);
    }
    if (fd !== null) closeSync(fd);
  })();
  return async () => {
    stopped = true;
    await done;
  };
}

/** A tool that writes each worker's stdout to `dir/NAME-out.log` (PM2 and supervisord as the bench configures them). */
export function workerLogFiles(tool: string, dir: string): OutputReader {
  return { tool, follow: async (name, onLine) => tailLines(join(dir, `${name}-out.log`), onLine) };
}
