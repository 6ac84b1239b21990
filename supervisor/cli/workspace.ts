/**
 * Which workspace a command acts on: `--config PATH` (taken as given, even
 * when the file is missing or broken, so `reload` can report exactly that),
 * else the nearest steward.yaml upward from the current directory.
 */
import { resolve } from 'node:path';
import { CONFIG_FILE_NAME, findConfigUpward } from '../config/locate';
import { UsageError } from './args';

export function resolveConfigFile(configOption: string | undefined, usage: string, cwd = process.cwd()): string {
  if (configOption !== undefined) return resolve(cwd, configOption);
  const found = findConfigUpward(cwd);
  if (found) return found;
  throw new UsageError(`no ${CONFIG_FILE_NAME} in ${cwd} or any parent directory (use --config PATH)`, usage);
}
