/**
 * Which workspace a command acts on: `--config PATH` (taken as given, even
 * when the file is missing or broken, so `reload` can report exactly that),
 * else the nearest steward.yaml upward from the current directory — or,
 * nearer still, a directory whose steward.yaml is gone or broken (deleted,
 * a directory, a dangling link) while its master runs: `steward status`
 * and `steward reload` must still reach that master to say why it waits.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { CONFIG_FILE_NAME, findConfigUpward } from '../config/locate';
import { workspacePaths } from '../runtime/paths';
import { UsageError } from './args';

export function resolveConfigFile(configOption: string | undefined, usage: string, cwd = process.cwd()): string {
  if (configOption !== undefined) return resolve(cwd, configOption);
  const found = nearestConfigFile(cwd);
  if (found) return found;
  throw new UsageError(`no ${CONFIG_FILE_NAME} in ${cwd} or any parent directory (use --config PATH)`, usage);
}

/** The nearest steward.yaml upward (or the directory of a running master whose file is gone), undefined when there is none. */
export function nearestConfigFile(cwd = process.cwd()): string | undefined {
  return findConfigUpward(cwd, (candidate) => existsSync(workspacePaths(candidate).socket));
}
