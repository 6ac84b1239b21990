/** Finding the workspace's steward.yaml: the nearest one upward from a directory. */
import { statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

export const CONFIG_FILE_NAME = 'steward.yaml';

/**
 * Absolute path of the nearest steward.yaml in `startDir` or above that is
 * a file (or that `alsoAccept` takes, e.g. one whose master runs although
 * the file is gone), or undefined.
 */
export function findConfigUpward(startDir: string, alsoAccept: (candidate: string) => boolean = () => false): string | undefined {
  let dir = resolve(startDir);
  for (;;) {
    const candidate = join(dir, CONFIG_FILE_NAME);
    if (isFile(candidate) || alsoAccept(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    // Missing, a link loop, no permission: not a config file to use.
    return false;
  }
}
