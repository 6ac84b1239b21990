/**
 * What a master prints on its stdout: every worker line prefixed with its
 * name (coloured on a terminal), and Steward's own events — reload
 * outcomes, wait mode — prefixed `steward`.
 *
 * A master started in the background (`up -d`, the editor) writes to its
 * log file in the runtime directory: Steward's own events only. Worker
 * output is kept in the workers' rings for `steward logs` and the editor;
 * copying it to the file as well doubled the master's cost of a flood (the
 * copy was 40 % of its CPU moving 100 MB) and grew the file without bound.
 * A foreground `steward up > dev.log` still gets everything: the user asked.
 *
 * Output is written in blocks as the workers' pipes delivered it, batched
 * per event-loop turn (one write instead of one per line: a chatty worker
 * must not cost a syscall a line), in order.
 */
import type { LogBlock, ReloadResult } from '../../shared/protocol';
import type { Master } from '../core/master';
import { formatLocated, formatLogLines, paint, useColor } from './format';
import { renderReloadResult } from './reload';

export class ForegroundOutput {
  private readonly color = useColor(process.stdout);
  private width = 'steward'.length;
  /** Workers with more than one instance, whose lines are labelled `name[i]`; updated per reload, not per line. */
  private replicated = new Set<string>();
  private pending: string[] = [];
  private pendingBytes = 0;
  private flushScheduled = false;
  /** stdout failed (`steward up | head` after head exited): nothing more is printed, the master goes on. */
  private broken = false;

  constructor(
    private readonly master: Master,
    private readonly options: { workerOutput: boolean },
  ) {
    process.stdout.on('error', () => {
      this.broken = true;
      this.pending = [];
      this.pendingBytes = 0;
    });
  }

  attach(): () => void {
    const { workerOutput } = this.options;
    if (!workerOutput) this.say('worker output is not copied to this log: `steward logs [-f] [WORKER]` shows it');
    const offLog = workerOutput ? this.master.onLog((logs, entry) => this.printLines(logs.blockOf(entry))) : () => undefined;
    const offReload = this.master.onReload((result) => {
      this.replicated = new Set(this.master.status().workers.filter((w) => w.instance > 0).map((w) => w.name));
      this.printReload(result);
    });
    return () => {
      offLog();
      offReload();
      this.flush();
    };
  }

  say(message: string): void {
    this.write(`${paint(`${'steward'.padEnd(this.width)} |`, 1, this.color)} ${message}\n`);
  }

  flush(): void {
    this.flushScheduled = false;
    if (this.pending.length === 0) return;
    const text = this.pending.join('');
    this.pending = [];
    this.pendingBytes = 0;
    process.stdout.write(text);
  }

  private write(text: string): void {
    if (this.broken) return;
    this.pending.push(text);
    this.pendingBytes += text.length;
    if (this.pendingBytes >= 64 * 1024) this.flush();
    else if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  private printLines(block: LogBlock): void {
    const replicated = (name: string): boolean => this.replicated.has(name) || block.instance > 0;
    const label = block.worker.length + (replicated(block.worker) ? 4 : 0);
    this.width = Math.max(this.width, label);
    this.write(`${formatLogLines(block, { color: this.color, width: this.width, replicated })}\n`);
  }

  private printReload(result: ReloadResult): void {
    if (result.trigger === 'startup') {
      if (result.ok) this.say(`started generation ${result.generation} (${result.durationMs} ms)`);
      else this.say(`start-up failed, waiting for a good reload: ${result.error ? formatLocated(result.error) : 'unknown error'}`);
      for (const warning of result.warnings ?? []) this.say(formatLocated(warning, 'warning'));
      return;
    }
    for (const line of renderReloadResult(result).trimEnd().split('\n')) this.say(line);
  }
}
