/**
 * What a master prints on its stdout: every worker line prefixed with its
 * name (coloured on a terminal), and Steward's own events — reload
 * outcomes, wait mode — prefixed `steward`. A detached master's stdout is
 * its log file in the runtime directory.
 */
import type { LogLine, ReloadResult } from '../../shared/protocol';
import type { Master } from '../core/master';
import { formatLocated, formatLogLine, paint, useColor } from './format';
import { renderReloadResult } from './reload';

export class ForegroundOutput {
  private readonly color = useColor(process.stdout);
  private width = 'steward'.length;

  constructor(private readonly master: Master) {}

  attach(): () => void {
    const offLog = this.master.onLog((line) => this.printLine(line));
    const offReload = this.master.onReload((result) => this.printReload(result));
    return () => {
      offLog();
      offReload();
    };
  }

  say(message: string): void {
    process.stdout.write(`${paint(`${'steward'.padEnd(this.width)} |`, 1, this.color)} ${message}\n`);
  }

  private printLine(line: LogLine): void {
    const workers = this.master.status().workers;
    const replicated = (name: string): boolean => workers.some((w) => w.name === name && w.instance > 0);
    const label = line.worker.length + (replicated(line.worker) ? 4 : 0);
    this.width = Math.max(this.width, label);
    process.stdout.write(`${formatLogLine(line, { color: this.color, width: this.width, replicated })}\n`);
  }

  private printReload(result: ReloadResult): void {
    if (result.trigger === 'startup') {
      if (result.ok) this.say(`started generation ${result.generation} (${result.durationMs} ms)`);
      else this.say(`start-up failed, waiting for a good reload: ${result.error ? formatLocated(result.error) : 'unknown error'}`);
      return;
    }
    for (const line of renderReloadResult(result).trimEnd().split('\n')) this.say(line);
  }
}
