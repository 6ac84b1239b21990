/**
 * `steward lsp`: the language server over stdio for any LSP editor (Neovim,
 * Helix, Zed…). It is a byte bridge to this workspace's master socket —
 * the master is the language server — starting a master in editor mode
 * (idle timeout, invalid config tolerated) when none runs.
 */
import { parseCommand, withUsage } from './args';
import { connectSocket } from '../runtime/socket';
import { startDetachedMaster } from './detach';
import { workspacePaths } from '../runtime/paths';
import { resolveConfigFile } from './workspace';

const USAGE = 'steward lsp [--stdio] [--config PATH]';

export function runLsp(args: string[]): Promise<number> {
  return withUsage(async () => {
    // --stdio is what most LSP clients pass; stdio is the only transport anyway.
    const { values } = parseCommand(args, { usage: USAGE, options: { stdio: { type: 'boolean' } } });
    const configFile = resolveConfigFile(values.config, USAGE);
    const socketPath = workspacePaths(configFile).socket;
    let socket = await connectSocket(socketPath);
    if (!socket) {
      const started = await startDetachedMaster(configFile, ['--editor']);
      if (!started.ok) {
        process.stderr.write(started.output);
        return started.code;
      }
      socket = await connectSocket(socketPath);
      if (!socket) return 1;
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
