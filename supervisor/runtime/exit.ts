/** Waiting for a master to be gone (after `steward/down`), for the CLI and the extension alike. */
import { isAlive } from '../process/procfs';

const POLL_MS = 20;

/** Resolves true once `pid` has exited (a zombie counts as gone), false after `timeoutMs`. */
export async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid)) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  return true;
}
