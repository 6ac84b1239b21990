/**
 * Reload coalescing: at most one reload runs and at most one waits. Every
 * request that arrives while a reload runs joins the single queued reload,
 * which reads the config only when it starts — so the newest file wins —
 * and whose one outcome all joined requests receive. A burst of any size
 * therefore executes at most two reloads.
 */
import type { ReloadResult, ReloadTrigger } from '../../shared/protocol';

export interface QueuedReload {
  /** Replace every worker (`reload --all`); a joined request with `all` makes the queued reload replace all. */
  all: boolean;
  /** The latest joined request's trigger. */
  trigger: ReloadTrigger;
}

export type ReloadExecutor = (request: QueuedReload) => Promise<ReloadResult>;

export class ReloadQueue {
  private current: Promise<ReloadResult> | null = null;
  private next: { request: QueuedReload; outcome: Promise<ReloadResult> } | null = null;
  private executed = 0;

  /** `execute` must not reject (the transaction turns every failure into a result). */
  constructor(private readonly execute: ReloadExecutor) {}

  request(request: QueuedReload): Promise<ReloadResult> {
    if (!this.current) return this.launch(request);
    if (this.next) {
      this.next.request = { all: this.next.request.all || request.all, trigger: request.trigger };
      return this.next.outcome;
    }
    const slot = { request: { ...request }, outcome: Promise.resolve() as unknown as Promise<ReloadResult> };
    const launchQueued = (): Promise<ReloadResult> => {
      this.next = null;
      return this.launch(slot.request);
    };
    slot.outcome = this.current.then(launchQueued, launchQueued);
    this.next = slot;
    return slot.outcome;
  }

  /** How many reloads actually ran (coalesced requests count once). */
  get executedCount(): number {
    return this.executed;
  }

  get busy(): boolean {
    return this.current !== null;
  }

  /** Resolves once no reload is running or queued. */
  async idle(): Promise<void> {
    while (this.current) await this.current.catch(() => undefined);
  }

  private launch(request: QueuedReload): Promise<ReloadResult> {
    this.executed += 1;
    const running = this.execute(request);
    this.current = running;
    const clear = (): void => {
      if (this.current === running) this.current = null;
    };
    running.then(clear, clear);
    return running;
  }
}
