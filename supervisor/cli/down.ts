/**
 * `steward down`: stops every worker, then the master. Returns once the
 * master has closed its socket. Exit 0, 2 no master.
 */
import { DownRequest, StatusRequest } from '../../shared/protocol';
import { isAlive } from '../process/procfs';
import { parseCommand, withUsage } from './args';
import { withMaster } from './client';
import { resolveConfigFile } from './workspace';

const USAGE = 'steward down [--config PATH]';
/** The master closes its connections right after answering; don't wait forever if it hangs. */
const CLOSE_TIMEOUT_MS = 10_000;

export function runDown(args: string[]): Promise<number> {
  return withUsage(async () => {
    const { values } = parseCommand(args, { usage: USAGE, options: {} });
    const configFile = resolveConfigFile(values.config, USAGE);
    return withMaster(configFile, async ({ connection, closed }) => {
      const { pid } = await connection.sendRequest(StatusRequest.type, {});
      const { stopped } = await connection.sendRequest(DownRequest.type, {});
      await withTimeout(closed, CLOSE_TIMEOUT_MS);
      const exited = await waitForExit(pid, CLOSE_TIMEOUT_MS);
      const master = exited ? 'the master has exited' : `the master (pid ${pid}) is still exiting`;
      process.stdout.write(`stopped ${stopped} worker${stopped === 1 ? '' : 's'}; ${master}\n`);
      return 0;
    });
  });
}

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits for `promise`, at most `ms` (the timer does not outlive the wait). */
async function withTimeout(promise: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([promise, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid)) {
    if (Date.now() > deadline) return false;
    await delay(20);
  }
  return true;
}
