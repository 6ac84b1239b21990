/**
 * `steward up [-d]`: start the master for this workspace. In the foreground
 * it prints name-prefixed worker output and lives until Ctrl-C, `steward
 * down`, or every worker has ended (exit status of the last one). `-d`
 * detaches and returns once the master answers on its socket. `--editor`
 * (alias `--serve`) is how the extension starts it: it stays up with an
 * invalid config (showing the errors) and stops once no client has been
 * connected for `--idle-timeout` (default 10s) unless `--keep-alive`.
 */
import { KeepAliveRequest, type ReloadResult, StatusChangedNotification, SubscribeRequest } from '../../shared/protocol';
import { parseDuration } from '../config/duration';
import { parseCommand, UsageError, withUsage } from './args';
import { connectToMaster } from './client';
import { startDetachedMaster } from './detach';
import { formatLocated } from './format';
import { hostMaster, type MasterFlags } from './masterHost';
import { resolveConfigFile } from './workspace';

const USAGE = 'steward up [-d] [--editor] [--watch] [--idle-timeout DURATION] [--keep-alive] [--untrusted] [--config PATH]';
const DEFAULT_EDITOR_IDLE_MS = 10_000;

const OPTIONS = {
  detach: { type: 'boolean', short: 'd' },
  foreground: { type: 'boolean' },
  editor: { type: 'boolean' },
  serve: { type: 'boolean' },
  watch: { type: 'boolean' },
  'idle-timeout': { type: 'string' },
  'keep-alive': { type: 'boolean' },
  untrusted: { type: 'boolean' },
} as const;

export function runUp(args: string[]): Promise<number> {
  return withUsage(async () => {
    const { values } = parseCommand(args, { usage: USAGE, options: OPTIONS });
    const configFile = resolveConfigFile(values.config, USAGE);
    const editor = (values.editor ?? false) || (values.serve ?? false);
    const idleTimeoutMs = idleTimeout(values['idle-timeout'], values['keep-alive'] ?? false, editor);
    const background = editor || (values.foreground ?? false);
    const flags: MasterFlags = { editor, watch: values.watch ?? false, idleTimeoutMs, workersEnabled: !(values.untrusted ?? false), background };
    if (values.detach && !values.foreground) return detach(configFile, args);
    return hostMaster(configFile, flags);
  });
}

function idleTimeout(option: string | undefined, keepAlive: boolean, editor: boolean): number | null {
  if (keepAlive) return null;
  if (option === undefined) return editor ? DEFAULT_EDITOR_IDLE_MS : null;
  const ms = parseDuration(option);
  if (ms === undefined) throw new UsageError(`--idle-timeout wants a duration like 10s or 500ms, got '${option}'`, USAGE);
  return ms;
}

async function detach(configFile: string, args: string[]): Promise<number> {
  const running = await connectToMaster(configFile);
  if (running) {
    // An editor's master would stop once the editor is gone; asked for from a terminal, it stays until `steward down`.
    const kept = await running.connection.sendRequest(KeepAliveRequest.type, {}).catch(() => undefined);
    running.close();
    const pid = kept ? ` (pid ${kept.pid})` : '';
    const now = kept?.hadIdleTimeout ? '; it was started by an editor and now stays up until `steward down`' : '';
    process.stderr.write(`steward: a master is already running for ${configFile}${pid}${now}\n`);
    return 1;
  }
  const passOn = args.filter((arg) => arg !== '-d' && arg !== '--detach');
  const outcome = await startDetachedMaster(configFile, withoutConfig(passOn));
  if (outcome.ok) {
    process.stdout.write(`master started (pid ${outcome.pid}); its log: ${outcome.log}; worker output: steward logs [-f] [WORKER]\n`);
    await reportFailedStart(configFile);
    return 0;
  }
  process.stderr.write(outcome.output);
  return outcome.code;
}

/** How long `up -d` waits for the first load's outcome: workers with slow readiness are not waited for. */
const FIRST_LOAD_WAIT_MS = 2_000;

/** A first load that failed within FIRST_LOAD_WAIT_MS is said here, not only in `steward status`. */
async function reportFailedStart(configFile: string): Promise<void> {
  const client = await connectToMaster(configFile);
  if (!client) return;
  let timer: NodeJS.Timeout | undefined;
  try {
    // The master pushes its own state changes at once: the end of the first load arrives as it happens, no polling.
    const pushed = new Promise<ReloadResult | null>((resolve) => {
      client.connection.onNotification(StatusChangedNotification.type, (status) => {
        if (status.lastReload) resolve(status.lastReload);
      });
      timer = setTimeout(() => resolve(null), FIRST_LOAD_WAIT_MS);
    });
    const first = (await client.connection.sendRequest(SubscribeRequest.type, {})).lastReload ?? (await pushed);
    if (first?.trigger !== 'startup' || first.ok || !first.error) return;
    const lines = [first.error, ...(first.errors ?? [])].map((error) => `  ${formatLocated(error)}`);
    process.stderr.write(`steward: start-up failed; the master is in wait mode with the workers that did start (fix it, then \`steward reload\`):\n${lines.join('\n')}\n`);
  } catch {
    // The master went away meanwhile: `steward status` says so.
  } finally {
    clearTimeout(timer);
    client.close();
  }
}

/** `--config X` / `--config=X` is passed separately (absolute). */
function withoutConfig(args: string[]): string[] {
  const result: string[] = [];
  for (let i = 0; i < args.length; i += 1) {
    if (args[i] === '--config') i += 1;
    else if (!args[i].startsWith('--config=')) result.push(args[i]);
  }
  return result;
}
