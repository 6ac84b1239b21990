/**
 * `steward down`: stops every worker, then the master. Hangs up once the
 * answer is in (the master leaves the requester to close first, so the
 * answer is never raced by the connection closing) and returns once the
 * master process has exited. Exit 0, 2 no master.
 */
import { DownRequest, StatusRequest } from '../../shared/protocol';
import { waitForExit } from '../runtime/exit';
import { parseCommand, withUsage } from './args';
import { withMaster } from './client';
import { resolveConfigFile } from './workspace';

const USAGE = 'steward down [--config PATH]';
/** Don't wait forever for a master that hangs while exiting. */
const EXIT_TIMEOUT_MS = 10_000;

export function runDown(args: string[]): Promise<number> {
  return withUsage(async () => {
    const { values } = parseCommand(args, { usage: USAGE, options: {} });
    const configFile = resolveConfigFile(values.config, USAGE);
    return withMaster(configFile, async ({ connection, close }) => {
      const { pid } = await connection.sendRequest(StatusRequest.type, {});
      const { stopped } = await connection.sendRequest(DownRequest.type, {});
      close();
      const exited = await waitForExit(pid, EXIT_TIMEOUT_MS);
      const master = exited ? 'the master has exited' : `the master (pid ${pid}) is still exiting`;
      process.stdout.write(`stopped ${stopped} worker${stopped === 1 ? '' : 's'}; ${master}\n`);
      return 0;
    });
  });
}
