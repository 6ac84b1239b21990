/**
 * Running a master in this process (`steward up` in the foreground, or the
 * child of `up -d` / of the extension): runtime directory → lock → config
 * preflight → reap strays of a dead predecessor → guardian → master →
 * control socket → first load. Resolves with the process exit code once
 * the master has stopped.
 */
import { isatty } from 'node:tty';
import type { LocatedError } from '../../shared/protocol';
import { readConfig } from '../core/configSource';
import { watchConfigFile } from '../core/configWatch';
import { MasterLifecycle } from '../core/lifecycle';
import { Master } from '../core/master';
import { processWorkerFactory } from '../core/processWorkers';
import { ControlServer } from '../lsp/server';
import { sweepNow } from '../process/escaped';
import { Guardian } from '../process/guardian';
import { signalGroup } from '../process/stop';
import { reapStrays } from '../process/strays';
import { acquireLock } from '../runtime/lock';
import { ensurePrivateDir, RuntimeDirError, workspacePaths, type WorkspacePaths } from '../runtime/paths';
import { formatLocated } from './format';
import { ForegroundOutput } from './foregroundOutput';

export interface MasterFlags {
  /** Started for an editor: stays up with an invalid config, exits when idle. */
  editor: boolean;
  watch: boolean;
  /** null: never stop for lack of clients. */
  idleTimeoutMs: number | null;
  workersEnabled: boolean;
  /** Started in the background (`up -d`, the editor): stdout is the runtime log, which gets Steward's own events only. */
  background: boolean;
}

export async function hostMaster(configFile: string, flags: MasterFlags): Promise<number> {
  const paths = workspacePaths(configFile);
  try {
    ensurePrivateDir(paths.dir);
  } catch (error) {
    if (!(error instanceof RuntimeDirError)) throw error;
    process.stderr.write(`steward: ${error.message}\n`);
    return 1;
  }
  const lock = acquireLock(paths.lock);
  if (!lock.acquired) {
    process.stderr.write(`steward: a master is already running for ${configFile} (pid ${lock.owner.pid}); use \`steward status\` or \`steward down\`\n`);
    return 1;
  }
  try {
    if (!flags.editor) {
      const read = await readConfig(configFile);
      if (!read.ok) return reportInvalidConfig(read.errors);
    }
    return await runMaster(configFile, flags, paths, lock.restore);
  } finally {
    lock.release();
  }
}

/** A first start with an invalid config has nothing to keep: print every error, start nothing, exit 1. */
function reportInvalidConfig(errors: LocatedError[]): number {
  for (const error of errors) process.stderr.write(`${formatLocated(error)}\n`);
  process.stderr.write(`steward: the config is invalid; nothing was started\n`);
  return 1;
}

interface HostedMaster {
  master: Master;
  guardian: Guardian;
  output: ForegroundOutput;
  /** Stops printing (flushing what is pending). */
  detachOutput: () => void;
}

/** Reaps a dead predecessor's strays, then builds the master with its guardian and output. */
async function createMaster(configFile: string, flags: MasterFlags, paths: WorkspacePaths): Promise<HostedMaster> {
  const reaped = await reapStrays(paths.strays);
  const guardian = Guardian.start({ recordFile: paths.strays });
  const master = new Master({ configFile, createWorker: processWorkerFactory(guardian), workersEnabled: flags.workersEnabled });
  const output = new ForegroundOutput(master, { workerOutput: !flags.background });
  const detachOutput = output.attach();
  // The master must outlive any bug of ours in a callback: report it, keep supervising.
  const reportInternal = (error: unknown): void => output.say(`internal error (continuing): ${describeError(error)}`);
  process.on('unhandledRejection', reportInternal);
  process.on('uncaughtException', reportInternal);
  if (reaped.length > 0) output.say(`reaped ${reaped.length} stray worker(s) of a previous master: pids ${reaped.map((r) => r.pid).join(', ')}`);
  return { master, guardian, output, detachOutput };
}

/** `restoreLock`: recreates this master's lock file if the runtime directory was deleted under it (runtime/lock.ts). */
async function runMaster(configFile: string, flags: MasterFlags, paths: WorkspacePaths, restoreLock: () => boolean): Promise<number> {
  const { master, guardian, output, detachOutput } = await createMaster(configFile, flags, paths);
  const terminalClosed = terminalHangUp();
  let resolveExit: (code: number) => void = () => undefined;
  const exited = new Promise<number>((resolve) => (resolveExit = resolve));
  let server: ControlServer | undefined;
  let unwatch: (() => void) | undefined;
  const lifecycle = new MasterLifecycle({
    master,
    idleTimeoutMs: flags.idleTimeoutMs,
    // Only a master in a terminal ends with its workers (its exit status is theirs); one in the background (`up -d`,
    // an editor's) stays, with their reasons and logs, until `steward down`.
    exitWhenWorkersEnd: !flags.background,
    killNow: () => guardian.groups().forEach((pgid) => signalGroup(pgid, 'SIGKILL')),
    terminalClosed,
    log: (message) => output.say(message),
    exit: async (code) => {
      unwatch?.();
      await server?.close();
      // The full passes still owed for stopped workers (escaped.ts sweepLater): done here, the guardian has nothing left to search for.
      await sweepNow();
      await guardian.close();
      detachOutput();
      // Ended by its terminal closing: as a process the hang-up ends. A normal exit would abort instead: Node 20
      // restores the terminal's modes on the way out and asserts that this works (tcsetattr: EIO on a hung-up tty).
      if (terminalClosed?.()) endByHangUp();
      resolveExit(code);
    },
  });
  // The runtime directory deleted under a running master: the socket comes back, and so must the lock and the stray record.
  const onRebound = (): void => {
    if (!restoreLock()) output.say('the lock file was taken by another master while the runtime directory was gone');
    guardian.rewriteRecord().catch((error: unknown) => output.say(`cannot rewrite the stray record: ${describeError(error)}`));
  };
  server = await ControlServer.listen({
    socketPath: paths.socket,
    master,
    onDown: () => void lifecycle.stop(0, 'steward down: stopping'),
    keepAlive: () => lifecycle.keepAlive(),
    onRebound,
  });
  server.onClientsChanged((count) => lifecycle.clientsChanged(count));
  lifecycle.install();
  output.say(`master ${process.pid} for ${configFile} (socket ${paths.socket})`);
  // Nothing else holds the event loop open while the exit sequence awaits the (unref'd) guardian.
  // The longest interval a timer takes (~24.8 days): it holds the loop without waking an idle master.
  const alive = setInterval(() => undefined, 2 ** 31 - 1);
  // Rejects only when a signal or `down` stopped the master during the first load.
  await master.start().catch(() => undefined);
  if (flags.watch) unwatch = watchConfigFile(master);
  return exited.finally(() => clearInterval(alive));
}

function describeError(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}

/**
 * For a master whose stdio is a terminal: whether that terminal has hung up.
 * A closed terminal sends SIGHUP as `kill -HUP` does; only after a hang-up
 * is none of its descriptors a terminal any more (isatty fails on them).
 */
function terminalHangUp(): (() => boolean) | undefined {
  const terminals = [0, 1, 2].filter((fd) => isatty(fd));
  return terminals.length === 0 ? undefined : () => terminals.every((fd) => !isatty(fd));
}

/** Dies of SIGHUP's default action (status 129 to a parent, were one left). */
function endByHangUp(): void {
  process.removeAllListeners('SIGHUP');
  process.kill(process.pid, 'SIGHUP');
}
