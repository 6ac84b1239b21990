/**
 * Pure rendering of the master's status for the tree, the status bar and the
 * notifications. No `vscode` import: icons and colours are ThemeIcon /
 * ThemeColor ids as strings, tooltips are Markdown source, so every mapping is
 * unit-tested without VS Code (test/unit/extension-render.test.ts).
 */
import { STOPPED_ON_REQUEST, type MasterState, type ReloadPlan, type ReloadResult, type StatusSnapshot, type WorkerState, type WorkerStatus } from '../shared/protocol';

/** A codicon id (`ThemeIcon`) with an optional theme colour id (`ThemeColor`). */
export interface IconSpec {
  id: string;
  color?: string;
}

export interface ItemView {
  label: string;
  description: string;
  icon: IconSpec;
  /** Markdown source. */
  tooltip: string;
  /** The only contract with package.json `view/item/context` menus. */
  contextValue: string;
  /** What a screen reader says: the state in words, as the icon colour cannot. */
  ariaLabel: string;
}

/** Where the extension stands with its master, before any status arrives. */
export type ConnectionState = 'noConfig' | 'untrusted' | 'connecting' | 'connected' | 'stopped' | 'failed';

export interface StatusBarView {
  text: string;
  tooltip: string;
  /** A ThemeColor id for the item's background, only in wait mode. */
  backgroundColor?: string;
}

const WORKER_ICONS: Record<WorkerState, IconSpec> = {
  starting: { id: 'loading~spin', color: 'charts.yellow' },
  ready: { id: 'pass-filled', color: 'testing.iconPassed' },
  running: { id: 'circle-filled', color: 'charts.green' },
  backoff: { id: 'history', color: 'list.warningForeground' },
  stopping: { id: 'loading~spin', color: 'disabledForeground' },
  exited: { id: 'circle-slash', color: 'disabledForeground' },
  failed: { id: 'error', color: 'testing.iconFailed' },
};

const MASTER_ICONS: Record<MasterState, IconSpec> = {
  running: { id: 'server-process', color: 'testing.iconPassed' },
  reloading: { id: 'sync~spin', color: 'charts.blue' },
  wait: { id: 'warning', color: 'list.warningForeground' },
  stopping: { id: 'debug-stop', color: 'disabledForeground' },
};

/** States in which a worker has a live process that can be stopped or restarted. */
const LIVE_STATES: ReadonlySet<WorkerState> = new Set(['starting', 'ready', 'running', 'backoff']);

/** `45s`, `3m`, `2h 5m`, `1d 3h`: coarse on purpose, so a description changes at most once a minute after the first. */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return minutes % 60 ? `${hours}h ${minutes % 60}m` : `${hours}h`;
  const days = Math.floor(hours / 24);
  return hours % 24 ? `${days}d ${hours % 24}h` : `${days}d`;
}

export function formatAgo(isoTime: string, now: number): string {
  const elapsed = now - Date.parse(isoTime);
  return elapsed < 5_000 ? 'just now' : `${formatDuration(elapsed)} ago`;
}

/** Stable across updates: a worker node keeps its id (and so its place and selection) while its process lives. */
export function workerItemId(worker: WorkerStatus): string {
  return `worker:${worker.name}#${worker.instance}@${worker.generation}`;
}

function hasReplicas(worker: WorkerStatus, all: readonly WorkerStatus[]): boolean {
  return all.some((other) => other.name === worker.name && other.instance !== worker.instance);
}

export function workerLabel(worker: WorkerStatus, all: readonly WorkerStatus[]): string {
  return hasReplicas(worker, all) ? `${worker.name}#${worker.instance}` : worker.name;
}

/** `pid 4242 · up 3m · 1 restart · :3000, :3001`; parts that do not apply are left out. */
export function workerDescription(worker: WorkerStatus, now: number): string {
  const parts: string[] = [];
  if (worker.draining) parts.push(`draining (gen ${worker.generation})`);
  if (worker.pid !== null) parts.push(`pid ${worker.pid}`);
  else if (stoppedOnRequest(worker)) parts.push('stopped');
  else parts.push(worker.exitCode === null ? worker.state : `${worker.state} (${worker.exitCode})`);
  if (worker.startedAt !== null && worker.pid !== null) parts.push(`up ${formatDuration(now - worker.startedAt)}`);
  if (worker.restarts > 0) parts.push(`${worker.restarts} restart${worker.restarts === 1 ? '' : 's'}`);
  if (worker.ports.length > 0) parts.push(worker.ports.map((port) => `:${port}`).join(', '));
  return parts.join(' · ');
}

/** Ended because someone stopped it (its exit code is then the stop signal's, not a crash). */
function stoppedOnRequest(worker: WorkerStatus): boolean {
  return worker.state === 'exited' && worker.reason === STOPPED_ON_REQUEST;
}

/** Stopped by the user, ended cleanly and crashed for good (restart: never) look different. */
export function workerIcon(worker: WorkerStatus): IconSpec {
  if (worker.draining) return { id: 'arrow-circle-down', color: 'disabledForeground' };
  if (stoppedOnRequest(worker)) return { id: 'debug-stop', color: 'disabledForeground' };
  if (worker.state === 'exited' && worker.exitCode !== null && worker.exitCode !== 0) return { id: 'circle-slash', color: 'list.warningForeground' };
  return WORKER_ICONS[worker.state];
}

/** `worker.<state>[.draining]`: menus match it with regular expressions. */
export function workerContextValue(worker: WorkerStatus): string {
  const liveness = LIVE_STATES.has(worker.state) ? 'live' : worker.state === 'stopping' ? 'stopping' : 'down';
  return `worker.${liveness}${worker.draining ? '.draining' : ''}${worker.line !== undefined ? '.located' : ''}`;
}

export function workerTooltip(worker: WorkerStatus, now: number): string {
  const rows = [
    `**${worker.name}** (instance ${worker.instance}, generation ${worker.generation})`,
    '',
    `- state: \`${worker.state}\`${worker.draining ? ' — draining, replaced by a newer generation' : ''}`,
    `- pid: ${worker.pid ?? '—'}`,
  ];
  if (worker.startedAt !== null && worker.pid !== null) rows.push(`- up: ${formatDuration(now - worker.startedAt)}`);
  rows.push(`- restarts: ${worker.restarts}`);
  if (worker.exitCode !== null) rows.push(`- last exit code: ${worker.exitCode}`);
  if (worker.ports.length > 0) rows.push(`- ports: ${worker.ports.join(', ')}`);
  if (worker.reason) rows.push('', `_${escapeMarkdown(worker.reason)}_`);
  return rows.join('\n');
}

export function workerView(worker: WorkerStatus, all: readonly WorkerStatus[], now: number): ItemView {
  const label = workerLabel(worker, all);
  const description = workerDescription(worker, now);
  return {
    label,
    description,
    ariaLabel: `${label}: ${worker.draining ? 'draining' : stoppedOnRequest(worker) ? 'stopped' : worker.state}, ${description}`,
    icon: workerIcon(worker),
    tooltip: workerTooltip(worker, now),
    contextValue: workerContextValue(worker),
  };
}

/** The master's own first load is a start-up, not a reload: the `reloads` counters leave it out. */
function lastReloadSummary(result: ReloadResult | null, now: number): string {
  if (!result) return 'no reload yet';
  return `${result.trigger === 'startup' ? 'start-up' : 'reload'} ${result.ok ? 'ok' : 'failed'} ${formatAgo(result.at, now)}`;
}

/** Generation 0 is "no good load yet": wait mode then keeps nothing, as nothing was started. */
export function nothingStarted(snapshot: StatusSnapshot): boolean {
  return snapshot.generation === 0;
}

/** What wait mode keeps, in words. */
function keptInWaitMode(snapshot: StatusSnapshot): string {
  return nothingStarted(snapshot) ? 'Nothing was started: the workers start once the config is fixed and reloaded.' : 'The last good workers keep running.';
}

/** The reason for wait mode in one line, with its location when it has one. */
export function waitReason(snapshot: StatusSnapshot): string {
  const error = snapshot.lastReload?.error;
  if (!error) return 'the last reload failed';
  const where = error.line !== undefined ? `line ${error.line}: ` : '';
  return `${where}${error.message}`;
}

export function masterView(snapshot: StatusSnapshot, now: number): ItemView {
  const icon = snapshot.workersEnabled ? MASTER_ICONS[snapshot.state] : { id: 'shield', color: 'list.warningForeground' };
  if (snapshot.state === 'wait') {
    const description = `${waitReason(snapshot)} · ${nothingStarted(snapshot) ? 'nothing started' : `keeping gen ${snapshot.generation}`}`;
    return {
      label: 'Wait mode',
      description,
      ariaLabel: `Master: wait mode, ${description}`,
      icon,
      tooltip: masterTooltip(snapshot, now),
      contextValue: 'master.wait',
    };
  }
  const description = `gen ${snapshot.generation} · ${lastReloadSummary(snapshot.lastReload, now)}`;
  const state = snapshot.workersEnabled ? snapshot.state : 'restricted: runs no worker';
  return {
    label: `Master (${state})`,
    description,
    ariaLabel: `Master: ${snapshot.state}, ${description}`,
    icon,
    tooltip: masterTooltip(snapshot, now),
    contextValue: `master.${snapshot.state}`,
  };
}

export function masterTooltip(snapshot: StatusSnapshot, now: number): string {
  const rows = [
    `**Steward master** — pid ${snapshot.pid}, up ${formatDuration(now - snapshot.startedAt)}`,
    '',
    `- state: \`${snapshot.state}\``,
    `- generation: ${snapshot.generation}`,
    `- config: \`${snapshot.config}\``,
    `- reloads: ${snapshot.reloads} (${snapshot.failedReloads} failed)`,
    `- last: ${lastReloadSummary(snapshot.lastReload, now)}`,
  ];
  if (!snapshot.workersEnabled) rows.push('', '_Worker commands are disabled (untrusted workspace)._');
  if (snapshot.state === 'wait') {
    rows.push('', `$(warning) **Wait mode**: ${escapeMarkdown(waitReason(snapshot))}`, '', `${keptInWaitMode(snapshot)} Fix the config and reload.`);
  }
  return rows.join('\n');
}

/** Workers that count for "n/m ready": current generation only (draining ones are on their way out). */
export function readyCounts(snapshot: StatusSnapshot): { ready: number; total: number } {
  const current = snapshot.workers.filter((worker) => !worker.draining);
  const ready = current.filter((worker) => worker.state === 'ready' || worker.state === 'running').length;
  return { ready, total: current.length };
}

const CONNECTION_TEXT: Record<Exclude<ConnectionState, 'connected'>, string> = {
  noConfig: 'Steward: no config',
  untrusted: '$(shield) Steward: restricted',
  connecting: '$(loading~spin) Steward: starting…',
  stopped: '$(debug-stop) Steward: stopped',
  failed: '$(error) Steward: not connected',
};

export function statusBarView(connection: ConnectionState, snapshot: StatusSnapshot | undefined): StatusBarView {
  if (connection !== 'connected' || !snapshot) {
    const key = connection === 'connected' ? 'connecting' : connection;
    return { text: CONNECTION_TEXT[key], tooltip: 'Steward: show the Workers view' };
  }
  if (!snapshot.workersEnabled) return { text: CONNECTION_TEXT.untrusted, tooltip: 'Steward runs no worker command in an untrusted workspace' };
  const { ready, total } = readyCounts(snapshot);
  const counts = `gen ${snapshot.generation} · ${ready}/${total} ready`;
  if (snapshot.state === 'wait') {
    return {
      text: `$(warning) Steward: wait mode · ${nothingStarted(snapshot) ? 'nothing started' : counts}`,
      tooltip: `Steward is in wait mode: ${waitReason(snapshot)}. ${keptInWaitMode(snapshot)}`,
      backgroundColor: 'statusBarItem.warningBackground',
    };
  }
  const prefix = snapshot.state === 'reloading' ? '$(sync~spin) ' : '';
  return { text: `${prefix}Steward: ${counts}`, tooltip: `Steward master ${snapshot.state}, generation ${snapshot.generation}` };
}

export type WaitTransition = 'entered' | 'left' | 'none';

/** Whether the master went into or out of wait mode between two snapshots (undefined: nothing known yet). */
export function waitTransition(previous: StatusSnapshot | undefined, next: StatusSnapshot): WaitTransition {
  const wasWaiting = previous?.state === 'wait';
  const isWaiting = next.state === 'wait';
  if (isWaiting && !wasWaiting) return 'entered';
  if (wasWaiting && next.state === 'running') return 'left';
  return 'none';
}

function listed(verb: string, names: readonly string[]): string | undefined {
  return names.length > 0 ? `${verb} ${names.join(', ')}` : undefined;
}

/** `restarted api; started web; stopped old` or `nothing changed`. */
export function planSummary(plan: ReloadPlan | undefined, tense: 'past' | 'future'): string {
  if (!plan) return 'nothing changed';
  const words = tense === 'past' ? ['restarted', 'started', 'stopped'] : ['restart', 'start', 'stop'];
  const parts = [listed(words[0]!, plan.restart), listed(words[1]!, plan.start), listed(words[2]!, plan.stop)].filter(
    (part): part is string => part !== undefined,
  );
  if (parts.length === 0) return tense === 'past' ? 'nothing changed' : 'nothing would change';
  return parts.join('; ');
}

export interface OutcomeMessage {
  severity: 'info' | 'warning';
  text: string;
}

/**
 * The one message a reload outcome deserves: applied (and whether it ended wait mode) or rejected → wait mode
 * (`nothingRunning`: there are no last good workers to keep, as on a first start with a broken config).
 */
export function reloadOutcome(result: ReloadResult, wasWaiting: boolean, nothingRunning = false): OutcomeMessage {
  if (result.dryRun) {
    return { severity: 'info', text: `Steward reload plan: ${planSummary(result.plan, 'future')}${keptSuffix(result.plan)}.` };
  }
  if (!result.ok) {
    const error = result.error;
    const where = error?.line !== undefined ? ` (line ${error.line}${error.column !== undefined ? `:${error.column}` : ''})` : '';
    const what = result.trigger === 'startup' ? 'could not start the workers' : 'reload rejected';
    const kept = nothingRunning ? 'Nothing was started: the workers start once the config is fixed and reloaded.' : 'Wait mode: the last good workers keep running.';
    return { severity: 'warning', text: `Steward ${what}${where}: ${error?.message ?? 'unknown error'}. ${kept}` };
  }
  const ended = wasWaiting ? ' Wait mode ended.' : '';
  return { severity: 'info', text: `Steward reload applied: generation ${result.generation}, ${planSummary(result.plan, 'past')}.${ended}` };
}

function keptSuffix(plan: ReloadPlan | undefined): string {
  return plan && plan.keep.length > 0 ? `; keep ${plan.keep.join(', ')}` : '';
}

function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]<>()#+!|]/g, '\\$&');
}
