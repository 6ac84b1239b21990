/**
 * How a master process lives and ends, apart from reloads:
 * - SIGHUP / SIGUSR2 → reload (trigger `signal`) — except the SIGHUP of a
 *   closed terminal, which stops the master it ran in the foreground as
 *   Ctrl-C would (its workers must not live on unseen, holding ports).
 * - SIGTERM / SIGINT → graceful stop of every worker (dependents first),
 *   then exit 0; a second one while stopping kills every worker group at
 *   once and exits 130.
 * - A foreground terminal master exits, with the last worker's status, once
 *   every worker has ended on its own and none will restart (HAProxy does) —
 *   not in wait mode, where it waits for a good reload.
 * - An editor-started master stops with its workers once its last client
 *   has been gone for the idle timeout (a window reload reconnects well
 *   within it); null timeout = keep alive. `steward up -d` finding such a
 *   master keeps it alive from then on (keepAlive).
 */
import type { Master } from './master';

export interface LifecycleOptions {
  master: Master;
  idleTimeoutMs: number | null;
  exitWhenWorkersEnd: boolean;
  /** SIGKILLs every worker group now (second Ctrl-C). */
  killNow(): void;
  /** Whether the terminal this master runs in has hung up (a SIGHUP then means it closed); absent: no terminal. */
  terminalClosed?(): boolean;
  /** Ends the process; called once, after the workers are stopped (or killed). */
  exit(code: number): Promise<void>;
  log(message: string): void;
}

export class MasterLifecycle {
  private idleTimer: NodeJS.Timeout | undefined;
  private ending: Promise<void> | undefined;
  private readonly cleanups: (() => void)[] = [];
  private idleTimeoutMs: number | null;

  constructor(private readonly options: LifecycleOptions) {
    this.idleTimeoutMs = options.idleTimeoutMs;
  }

  install(): void {
    this.onSignal('SIGHUP', () => {
      if (this.options.terminalClosed?.()) void this.stop(129, 'SIGHUP: the terminal closed; stopping every worker');
      else this.reloadOnSignal('SIGHUP');
    });
    this.onSignal('SIGUSR2', () => this.reloadOnSignal('SIGUSR2'));
    this.onSignal('SIGTERM', () => this.interrupt('SIGTERM'));
    this.onSignal('SIGINT', () => this.interrupt('SIGINT'));
    if (this.options.exitWhenWorkersEnd) {
      this.cleanups.push(
        this.options.master.onAllEnded((code) => void this.stop(code, `every worker has ended; exiting with status ${code}`)),
      );
    }
    this.clientsChanged(0);
  }

  /** From now on no idle timeout (`steward up -d` adopted an editor's master); whether there was one. */
  keepAlive(): boolean {
    const had = this.idleTimeoutMs !== null;
    if (had) this.options.log('kept alive: stays up without clients until `steward down`');
    this.idleTimeoutMs = null;
    clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    return had;
  }

  /** The number of connected clients changed. */
  clientsChanged(count: number): void {
    const timeout = this.idleTimeoutMs;
    if (timeout === null || this.ending) return;
    clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    if (count > 0) return;
    this.idleTimer = setTimeout(() => {
      void this.stop(0, `no client for ${timeout} ms; stopping (idle timeout)`);
    }, timeout);
  }

  /** Graceful stop of every worker, then exit with `code`. Idempotent. */
  stop(code: number, why: string): Promise<void> {
    this.ending ??= (async () => {
      clearTimeout(this.idleTimer);
      this.options.log(why);
      const stopped = await this.options.master.shutdown();
      this.options.log(`stopped ${stopped} worker${stopped === 1 ? '' : 's'}`);
      await this.finish(code);
    })();
    return this.ending;
  }

  private interrupt(signal: NodeJS.Signals): void {
    if (!this.ending) {
      void this.stop(0, `${signal}: stopping every worker (again to kill them at once)`);
      return;
    }
    this.options.log(`${signal} again: killing every worker now`);
    this.options.killNow();
    void this.finish(130);
  }

  private reloadOnSignal(signal: NodeJS.Signals): void {
    this.options.log(`${signal}: reloading`);
    this.options.master.reload({ trigger: 'signal' }).catch(() => undefined);
  }

  private finishing: Promise<void> | undefined;

  private finish(code: number): Promise<void> {
    this.finishing ??= (async () => {
      for (const cleanup of this.cleanups.splice(0)) cleanup();
      await this.options.exit(code);
    })();
    return this.finishing;
  }

  private onSignal(signal: NodeJS.Signals, handler: () => void): void {
    process.on(signal, handler);
    this.cleanups.push(() => process.off(signal, handler));
  }
}
