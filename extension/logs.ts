/**
 * Per-worker output in a terminal (a Pseudoterminal, so the workers' ANSI
 * colours survive): the recent tail from the master's ring buffer, then the
 * lines it pushes with `steward/log` while following.
 *
 * The connection follows exactly the workers whose terminals are open, so a
 * worker nobody watches is neither sent to the editor nor ever held by it
 * (the master makes a worker wait for a follower that falls behind); each
 * terminal takes its worker's blocks of lines, and a note of how many of
 * its lines the master skipped when the editor fell behind.
 * Lines that arrive while a tail is being fetched are held back and
 * de-duplicated against the tail.
 */
import * as vscode from 'vscode';
import { linesOf } from '../shared/logBlocks';
import { LogsRequest, UnfollowLogsRequest, type LogBlock, type LogLine, type LogPush } from '../shared/protocol';
import { describe, type MasterClient } from './client';

const TAIL_LINES = 200;
const DIM = '\x1b[2m';
const RED = '\x1b[31m';
const RESET = '\x1b[0m';

/** One line for a terminal: system lines dimmed, stderr marked, worker colours untouched. */
export function terminalLine(line: LogLine, showInstance: boolean): string {
  const prefix = showInstance ? `${DIM}[#${line.instance}]${RESET} ` : '';
  if (line.stream === 'system') return `${prefix}${DIM}[steward] ${line.text}${RESET}\r\n`;
  const marker = line.stream === 'stderr' ? `${RED}┃${RESET} ` : '';
  return `${prefix}${marker}${line.text}\r\n`;
}

/** What a terminal shows where the master dropped lines of a worker instance for a follower that fell behind. */
function skipNotice({ worker, instance, time, skipped }: LogBlock): LogLine {
  const text = `… ${(skipped ?? 0).toLocaleString('en-US')} lines skipped (the editor fell behind); "Steward: Show Logs…" again shows the latest tail`;
  return { worker, instance, stream: 'system', time, text };
}

const lineKey = (line: LogLine): string => `${line.time}|${line.instance}|${line.stream}|${line.text}`;

class WorkerLogTerminal implements vscode.Pseudoterminal {
  private readonly writeEmitter = new vscode.EventEmitter<string>();
  private readonly closeEmitter = new vscode.EventEmitter<void>();
  readonly onDidWrite = this.writeEmitter.event;
  readonly onDidClose = this.closeEmitter.event;
  private held: LogLine[] | undefined = [];
  private replicas = false;

  constructor(
    readonly worker: string,
    private readonly fetchTail: () => Promise<LogLine[]>,
    private readonly onClosed: () => void,
  ) {}

  open(): void {
    this.writeEmitter.fire(`${DIM}── logs of ${this.worker} (last ${TAIL_LINES} lines, then following) ──${RESET}\r\n`);
    this.fetchTail().then(
      (tail) => this.showTail(tail),
      (error: unknown) => {
        this.writeEmitter.fire(`${RED}could not read the logs: ${describe(error)}${RESET}\r\n`);
        this.held = undefined;
      },
    );
  }

  close(): void {
    this.onClosed();
  }

  /** New lines of this worker from the follow stream. */
  push(lines: LogLine[]): void {
    if (this.held) this.held.push(...lines);
    else this.write(lines);
  }

  private showTail(tail: LogLine[]): void {
    this.replicas = tail.some((line) => line.instance > 0);
    const seen = new Set(tail.map(lineKey));
    const later = (this.held ?? []).filter((line) => !seen.has(lineKey(line)));
    this.held = undefined;
    this.write([...tail, ...later]);
  }

  private write(lines: LogLine[]): void {
    if (lines.some((line) => line.instance > 0)) this.replicas = true;
    if (lines.length > 0) this.writeEmitter.fire(lines.map((line) => terminalLine(line, this.replicas)).join(''));
  }

  dispose(): void {
    this.writeEmitter.dispose();
    this.closeEmitter.dispose();
  }
}

export class LogTerminals implements vscode.Disposable {
  private readonly open = new Map<string, { terminal: vscode.Terminal; pty: WorkerLogTerminal }>();
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly client: MasterClient) {
    this.subscriptions = [
      client.onLog((push) => this.dispatch(push)),
      // A new connection (reconnect, new master) follows nothing yet. A request that fails here failed with its connection, and the next one follows again.
      client.onConnection((state) => {
        if (state === 'connected' && this.open.size > 0) void this.follow([...this.open.keys()]).catch(() => undefined);
      }),
    ];
  }

  /** Shows (or reveals) the log terminal of a worker. */
  async show(worker: string): Promise<void> {
    const existing = this.open.get(worker);
    if (existing) {
      existing.terminal.show();
      return;
    }
    // Followed before the tail is read: a line written in between arrives both ways, and the terminal shows it once.
    await this.follow([...this.open.keys(), worker]);
    const pty = new WorkerLogTerminal(
      worker,
      async () => (await this.client.request(LogsRequest.type, { worker, lines: TAIL_LINES })).lines,
      () => this.forget(worker),
    );
    const terminal = vscode.window.createTerminal({ name: `Steward: ${worker}`, pty, iconPath: new vscode.ThemeIcon('server-process') });
    this.open.set(worker, { terminal, pty });
    terminal.show();
  }

  dispose(): void {
    for (const { terminal, pty } of this.open.values()) {
      terminal.dispose();
      pty.dispose();
    }
    this.open.clear();
    for (const subscription of this.subscriptions) subscription.dispose();
  }

  /** Tells the master which workers to follow on this connection (it changes the set in place, losing no line). */
  private async follow(workers: string[]): Promise<void> {
    if (workers.length === 0) await this.client.request(UnfollowLogsRequest.type, {});
    else await this.client.request(LogsRequest.type, { workers, lines: 0, follow: true });
  }

  /** Each block to its worker's terminal, after the notice of lines skipped just before it. */
  private dispatch({ blocks }: LogPush): void {
    const byWorker = new Map<string, LogLine[]>();
    for (const block of blocks) {
      if (!this.open.has(block.worker)) continue;
      const lines = byWorker.get(block.worker) ?? [];
      if (block.skipped) lines.push(skipNotice(block));
      lines.push(...linesOf(block));
      byWorker.set(block.worker, lines);
    }
    for (const [worker, lines] of byWorker) this.open.get(worker)?.pty.push(lines);
  }

  private forget(worker: string): void {
    const entry = this.open.get(worker);
    this.open.delete(worker);
    entry?.pty.dispose();
    // Not connected: nothing is followed anyway, and the next connection follows the terminals still open.
    if (this.client.connected) void this.follow([...this.open.keys()]).catch(() => undefined);
  }
}
