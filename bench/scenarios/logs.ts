/**
 * log-throughput: one worker writes `logMegabytes` MB of numbered 100-byte
 * lines as fast as it can. Timed from the signal that starts the writer to
 * the last line delivered by the tool: Steward to `steward logs -f` (a
 * client of the master, fed by `steward/log` pushes over the socket, as the
 * extension is), PM2 and supervisord to their log file (their own path).
 * Every line is counted and its number checked; peak RSS is the VmHWM of
 * the supervisor's processes.
 */
import { logMegabytes, makeFleet } from '../lib/fleet';
import { statusKb } from '../lib/procfs';
import { now, waitFor } from '../lib/timing';
import { waitUp } from '../lib/verify';
import type { ToolDriver } from '../tools/tool';
import { type BenchContext, withSession } from './context';

const LINE_BYTES = 100;
/** Give up when no line arrived for this long: what is missing then is lost. */
const STALL_MS = 10_000;

class LineCounter {
  ready = false;
  received = 0;
  outOfOrder = 0;
  lastArrival = now();
  private next = 0;

  readonly onLine = (text: string): void => {
    if (text === 'ready') this.ready = true;
    // Only the writer's numbered lines count (a client may also show the supervisor's own lines).
    if (!this.ready || !/^\d/.test(text)) return;
    const seq = Number.parseInt(text, 10);
    if (seq !== this.next) this.outOfOrder++;
    this.next = seq + 1;
    this.received++;
    this.lastArrival = now();
  };
}

/** One run read through the session's reader number `readerIndex`, in a fresh session; resolves to how many readers the tool has. */
async function throughputOnce(context: BenchContext, driver: ToolDriver, readerIndex: number): Promise<number> {
  const fleet = makeFleet('log', 1);
  const expected = Math.floor((logMegabytes.value * 1024 * 1024) / LINE_BYTES);
  return withSession(context, driver, fleet, async (session) => {
    const reader = session.outputReaders()[readerIndex];
    const key = { scenario: 'log-throughput', tool: reader.tool, workers: 'log', n: 1 };
    await session.start();
    const writer = (await waitUp(context.index, fleet)).get('w0') as number;
    const counter = new LineCounter();
    const unfollow = await reader.follow('w0', counter.onLine);
    await waitFor(() => counter.ready, { timeoutMs: 30_000, what: "the log writer's ready line" });
    const started = now();
    process.kill(writer, 'SIGUSR2');
    await waitFor(() => counter.received >= expected || now() - Math.max(counter.lastArrival, started) > STALL_MS, { timeoutMs: 180_000, what: 'log lines' });
    const seconds = (counter.lastArrival - started) / 1000;
    await unfollow();
    const own = context.index.scan(fleet.tag).supervisor;
    context.recorder.sample(key, 'ms', seconds * 1000);
    context.recorder.sample(key, 'mb_per_s', (counter.received * LINE_BYTES) / 1024 / 1024 / seconds);
    context.recorder.sample(key, 'rss_mb', own.reduce((sum, pid) => sum + statusKb(pid, 'VmHWM'), 0) / 1024);
    context.recorder.sample(key, 'lost', expected - counter.received + counter.outOfOrder);
    await session.stop();
    return session.outputReaders().length;
  });
}

export async function runLogs(context: BenchContext, log: (line: string) => void): Promise<void> {
  logMegabytes.value = context.settings.logMegabytes;
  for (const driver of context.drivers) {
    log(`log-throughput ${driver.name} ${logMegabytes.value} MB`);
    try {
      for (let reader = 0, readers = 1; reader < readers; reader++) {
        for (let rep = 0; rep < context.settings.reps; rep++) readers = await throughputOnce(context, driver, reader);
      }
    } catch (error) {
      context.recorder.fail(`log-throughput ${driver.name}`, error);
    }
  }
}
