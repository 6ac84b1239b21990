/**
 * A worker's live state in words, for hovers (with uptime, which ages) and
 * code lenses (without it: a lens is redrawn only when the status changes).
 */
import type { WorkerStatus } from '../../../shared/protocol';

/** `45s`, `3m 12s`, `2h 5m`, `1d 3h`. */
export function formatUptime(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  const units: [string, number][] = [['d', 86_400], ['h', 3_600], ['m', 60], ['s', 1]];
  const first = units.findIndex(([, size]) => seconds >= size);
  if (first < 0 || first === units.length - 1) return `${seconds}s`;
  const [[bigUnit, bigSize], [smallUnit, smallSize]] = units.slice(first, first + 2);
  const small = Math.floor((seconds % bigSize) / smallSize);
  return `${Math.floor(seconds / bigSize)}${bigUnit}${small === 0 ? '' : ` ${small}${smallUnit}`}`;
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

/** `ready · pid 4242 · up 3m 12s · 0 restarts · ports 3000` (uptime only when `now` is given). */
export function describeInstance(worker: WorkerStatus, now?: number): string {
  const parts: string[] = [worker.state];
  if (worker.pid !== null) parts.push(`pid ${worker.pid}`);
  if (now !== undefined && worker.startedAt !== null && worker.pid !== null) parts.push(`up ${formatUptime(now - worker.startedAt)}`);
  parts.push(plural(worker.restarts, 'restart'));
  if (worker.ports.length > 0) parts.push(`${worker.ports.length === 1 ? 'port' : 'ports'} ${worker.ports.join(', ')}`);
  if (worker.exitCode !== null && worker.pid === null) parts.push(`exit code ${worker.exitCode}`);
  if (worker.reason) parts.push(worker.reason);
  return parts.join(' · ');
}

/** The instances of `name` in the running generation (draining ones left out), by instance. */
export function instancesOf(workers: readonly WorkerStatus[], name: string): WorkerStatus[] {
  return workers.filter((worker) => worker.name === name && !worker.draining).sort((a, b) => a.instance - b.instance);
}

export const NOT_RUNNING = 'not running: not in the running generation (a reload starts it)';

/** One line for a lens: the single instance's state, or `2 instances: ready, starting · 1 restart`. */
export function summarizeWorker(instances: readonly WorkerStatus[]): string {
  if (instances.length === 0) return NOT_RUNNING;
  if (instances.length === 1) return describeInstance(instances[0]);
  const restarts = instances.reduce((sum, worker) => sum + worker.restarts, 0);
  return `${instances.length} instances: ${instances.map((worker) => worker.state).join(', ')} · ${plural(restarts, 'restart')}`;
}
