/**
 * `steward lsp`: the language server over stdio for any LSP editor (Neovim,
 * Helix, Zed…). It is a byte bridge to this workspace's master socket —
 * the master is the language server — starting a master in editor mode
 * (idle timeout, invalid config tolerated) when none runs.
 */
import { resolve } from 'node:path';
import type { Socket } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { parseCommand, withUsage } from './args';
import { CONFIG_FILE_NAME } from '../config/locate';
import { connectSocket } from '../runtime/socket';
import { startDetachedMaster } from './detach';
import { workspacePaths } from '../runtime/paths';
import { nearestConfigFile, resolveConfigFile } from './workspace';

const USAGE = 'steward lsp [--stdio] [--config PATH]';
/** How long a bridge whose master lost the start race waits for the winner's socket. */
const RACE_WAIT_MS = 5_000;
const RACE_POLL_MS = 50;

async function waitForSocket(path: string, timeoutMs: number): Promise<Socket | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const socket = await connectSocket(path);
    if (socket || Date.now() >= deadline) return socket;
    await delay(RACE_POLL_MS);
  }
}

/**
 * The workspace's config; with no steward.yaml anywhere upward yet, the
 * current directory's one to be — an editor creating it gets diagnostics
 * and completion before it is first saved (the master waits for the file,
 * as for a `--config` that names a missing one).
 */
function configToServe(configOption: string | undefined): string {
  if (configOption !== undefined) return resolveConfigFile(configOption, USAGE);
  return nearestConfigFile() ?? resolve(CONFIG_FILE_NAME);
}

export function runLsp(args: string[]): Promise<number> {
  return withUsage(async () => {
    // --stdio is what most LSP clients pass; stdio is the only transport anyway.
    const { values } = parseCommand(args, { usage: USAGE, options: { stdio: { type: 'boolean' } } });
    const configFile = configToServe(values.config);
    const socketPath = workspacePaths(configFile).socket;
    let socket = await connectSocket(socketPath);
    if (!socket) {
      const started = await startDetachedMaster(configFile, ['--editor']);
      // Bridges started at once (an editor opening several windows) race for the workspace lock: a loser connects to the winner.
      socket = started.ok ? await connectSocket(socketPath) : await waitForSocket(socketPath, RACE_WAIT_MS);
      if (!socket) {
        if (!started.ok) process.stderr.write(started.output);
        return started.ok ? 1 : started.code;
      }
    }
    const connected = socket;
    process.stdin.pipe(connected);
    connected.pipe(process.stdout);
    process.stdin.once('end', () => connected.end());
    await new Promise<void>((resolve) => connected.once('close', () => resolve()));
    process.stdin.unpipe(connected);
    process.stdin.destroy();
    return 0;
  });
}
