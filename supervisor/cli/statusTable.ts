/**
 * `steward status`: a table in the spirit of HAProxy's `show proc` — the
 * master line (pid, state, generation, reloads with failures, uptime), the
 * last reload, then one row per worker instance. Pure: status in, text out.
 */
import type { ReloadResult, StatusSnapshot, WorkerStatus } from '../../shared/protocol';
import { formatDuration, formatLocated } from './format';

const COLUMNS = ['NAME', 'PID', 'STATE', 'GEN', 'RESTARTS', 'UPTIME', 'PORTS', 'REASON'] as const;

export function renderStatusTable(status: StatusSnapshot, now = Date.now()): string {
  const lines = [masterLine(status, now), ...lastReloadLines(status.lastReload)];
  if (!status.workersEnabled) lines.push('worker commands are disabled (untrusted workspace)');
  lines.push('');
  lines.push(...table([[...COLUMNS], ...status.workers.map((worker) => workerRow(worker, status, now))]));
  if (status.workers.length === 0) lines.push('(no workers)');
  return `${lines.join('\n')}\n`;
}

function masterLine(status: StatusSnapshot, now: number): string {
  const failed = status.failedReloads > 0 ? ` [failed: ${status.failedReloads}]` : '';
  return [
    `master ${status.pid}`,
    status.state,
    `generation ${status.generation}`,
    `reloads ${status.reloads}${failed}`,
    `up ${formatDuration(now - status.startedAt)}`,
    status.config,
  ].join('  ');
}

function lastReloadLines(result: ReloadResult | null): string[] {
  if (!result) return [];
  const head = `last reload: ${result.ok ? 'ok' : 'FAILED'} (${result.trigger}, generation ${result.generation}, ${result.durationMs} ms, ${result.at})`;
  if (result.ok || !result.error) return [head];
  return [head, `  ${formatLocated(result.error)}`];
}

function workerRow(worker: WorkerStatus, status: StatusSnapshot, now: number): string[] {
  const replicated = status.workers.some((other) => other.name === worker.name && other.instance !== worker.instance);
  return [
    replicated ? `${worker.name}[${worker.instance}]` : worker.name,
    worker.pid === null ? '-' : String(worker.pid),
    worker.draining ? `${worker.state} (draining)` : worker.state,
    String(worker.generation),
    String(worker.restarts),
    worker.startedAt === null ? '-' : formatDuration(now - worker.startedAt),
    worker.ports.length > 0 ? worker.ports.join(',') : '-',
    reasonColumn(worker),
  ];
}

function reasonColumn(worker: WorkerStatus): string {
  if (worker.exitCode !== null && (worker.state === 'exited' || worker.state === 'failed')) {
    return `exit ${worker.exitCode}${worker.reason ? `: ${worker.reason}` : ''}`;
  }
  return worker.state === 'ready' || worker.state === 'running' ? '' : (worker.reason ?? '');
}

/** Left-aligned columns, two spaces apart; the last column is not padded. */
function table(rows: string[][]): string[] {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  return rows.map((row) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]))).join('  ').trimEnd());
}
