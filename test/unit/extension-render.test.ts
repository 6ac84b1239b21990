import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ReloadResult, StatusSnapshot, WorkerStatus } from '../../shared/protocol';
import {
  formatAgo,
  formatDuration,
  masterView,
  planSummary,
  readyCounts,
  reloadOutcome,
  statusBarView,
  waitTransition,
  workerContextValue,
  workerDescription,
  workerIcon,
  workerItemId,
  workerLabel,
  workerTooltip,
  workerView,
} from '../../extension/render';
import type { StewardConfig } from '../../supervisor/config/model';
import { notStartedWorkers } from '../../supervisor/core/notStarted';

const NOW = Date.parse('2026-11-26T01:00:00Z');

function worker(overrides: Partial<WorkerStatus> = {}): WorkerStatus {
  return {
    name: 'api', instance: 0, pid: 4242, generation: 3, state: 'ready', restarts: 0,
    exitCode: null, ports: [3000], startedAt: NOW - 3 * 60_000, line: 4, ...overrides,
  };
}

function snapshot(overrides: Partial<StatusSnapshot> = {}): StatusSnapshot {
  return {
    pid: 4100, state: 'running', generation: 4, config: '/ws/steward.yaml', reloads: 5, failedReloads: 1,
    lastReload: null, workers: [worker(), worker({ name: 'web', pid: 4300, ports: [] })],
    startedAt: NOW - 600_000, workersEnabled: true, ...overrides,
  };
}

const failedReload: ReloadResult = {
  ok: false, generation: 5, trigger: 'command', durationMs: 12, at: '2026-11-26T00:59:00Z',
  error: { message: "unknown key 'comand'", line: 7, column: 5 },
};

describe('durations', () => {
  it('are coarse: seconds, minutes, hours with minutes, days with hours', () => {
    assert.equal(formatDuration(45_000), '45s');
    assert.equal(formatDuration(3 * 60_000 + 59_000), '3m');
    assert.equal(formatDuration(2 * 3_600_000 + 5 * 60_000), '2h 5m');
    assert.equal(formatDuration(2 * 3_600_000), '2h');
    assert.equal(formatDuration(27 * 3_600_000), '1d 3h');
    assert.equal(formatDuration(-5), '0s');
  });
  it('say "just now" for the last five seconds and "… ago" after', () => {
    assert.equal(formatAgo('2026-11-26T00:59:58Z', NOW), 'just now');
    assert.equal(formatAgo('2026-11-26T00:58:00Z', NOW), '2m ago');
  });
});

describe('a worker node', () => {
  it('is labelled by name, or name#instance when the worker has replicas', () => {
    const replicas = [worker(), worker({ instance: 1, pid: 4243 })];
    assert.equal(workerLabel(worker(), [worker()]), 'api');
    assert.equal(workerLabel(replicas[1]!, replicas), 'api#1');
  });
  it('tells its state in words to screen readers', () => {
    assert.equal(workerView(worker(), [worker()], NOW).ariaLabel, 'api: ready, pid 4242 · up 3m · :3000');
    assert.equal(workerView(worker({ draining: true }), [worker()], NOW).ariaLabel, 'api: draining, draining (gen 3) · pid 4242 · up 3m · :3000');
  });
  it('shows a worker an untrusted master lists as not started: exited, no pid, why in the tooltip, no stop or restart menu', () => {
    const [listed] = notStartedWorkers({ workers: [{ name: 'api', replicas: 1, ports: [3000], line: 4 }] } as unknown as StewardConfig, 0);
    const view = workerView(listed!, [listed!], NOW);
    assert.equal(view.ariaLabel, 'api: exited, exited · :3000');
    assert.equal(view.contextValue, 'worker.down.located');
    assert.match(view.tooltip, /_workspace not trusted: no worker command runs_/);
  });
  it('keeps one id per name, instance and generation', () => {
    assert.equal(workerItemId(worker()), 'worker:api#0@3');
  });
  it('describes pid, uptime, restarts and ports', () => {
    assert.equal(workerDescription(worker({ restarts: 2, ports: [3000, 3001] }), NOW), 'pid 4242 · up 3m · 2 restarts · :3000, :3001');
    assert.equal(workerDescription(worker({ restarts: 1, ports: [] }), NOW), 'pid 4242 · up 3m · 1 restart');
  });
  it('describes a worker without a process by its state and exit code', () => {
    assert.equal(workerDescription(worker({ pid: null, startedAt: null, state: 'failed', exitCode: 1, ports: [] }), NOW), 'failed (1)');
    assert.equal(workerDescription(worker({ pid: null, startedAt: null, state: 'backoff', ports: [] }), NOW), 'backoff');
  });
  it('says "stopped" for a worker stopped on request, not its exit code (QA: "exited (143)")', () => {
    const stopped = worker({ pid: null, startedAt: null, state: 'exited', exitCode: 143, reason: 'stopped', ports: [] });
    assert.equal(workerDescription(stopped, NOW), 'stopped');
    assert.equal(workerView(stopped, [stopped], NOW).ariaLabel, 'api: stopped, stopped');
  });
  it('counts uptime from startedAt at each render, so a refresh a second later says so', () => {
    const started = worker({ startedAt: NOW, ports: [] });
    assert.equal(workerDescription(started, NOW), 'pid 4242 · up 0s');
    assert.equal(workerDescription(started, NOW + 12_000), 'pid 4242 · up 12s');
  });
  it('marks a draining worker of an older generation', () => {
    const draining = worker({ draining: true, state: 'stopping', ports: [] });
    assert.equal(workerDescription(draining, NOW), 'draining (gen 3) · pid 4242 · up 3m');
    assert.deepEqual(workerIcon(draining), { id: 'arrow-circle-down', color: 'disabledForeground' });
    assert.equal(workerContextValue(draining), 'worker.stopping.draining.located');
  });
  it('has a coloured icon per state', () => {
    assert.deepEqual(workerIcon(worker({ state: 'ready' })), { id: 'pass-filled', color: 'testing.iconPassed' });
    assert.deepEqual(workerIcon(worker({ state: 'running' })), { id: 'circle-filled', color: 'charts.green' });
    assert.deepEqual(workerIcon(worker({ state: 'starting' })), { id: 'loading~spin', color: 'charts.yellow' });
    assert.deepEqual(workerIcon(worker({ state: 'backoff' })), { id: 'history', color: 'list.warningForeground' });
    assert.deepEqual(workerIcon(worker({ state: 'failed' })), { id: 'error', color: 'testing.iconFailed' });
    assert.deepEqual(workerIcon(worker({ state: 'exited' })), { id: 'circle-slash', color: 'disabledForeground' });
  });
  it('tells a worker the user stopped from one that crashed for good (restart: never) by its icon (QA)', () => {
    const stopped = workerIcon(worker({ state: 'exited', exitCode: 143, reason: 'stopped' }));
    const crashed = workerIcon(worker({ state: 'exited', exitCode: 1 }));
    assert.deepEqual(stopped, { id: 'debug-stop', color: 'disabledForeground' });
    assert.deepEqual(crashed, { id: 'circle-slash', color: 'list.warningForeground' });
    assert.deepEqual(workerIcon(worker({ state: 'exited', exitCode: 0 })), { id: 'circle-slash', color: 'disabledForeground' });
  });
  it('offers stop/restart when live and start when down, through its context value', () => {
    assert.equal(workerContextValue(worker({ state: 'backoff' })), 'worker.live.located');
    assert.equal(workerContextValue(worker({ state: 'exited', line: undefined })), 'worker.down');
  });
  it('has a Markdown tooltip with the reason escaped', () => {
    const tooltip = workerTooltip(worker({ state: 'failed', pid: null, exitCode: 2, reason: 'port 3000 in use (by *x*)' }), NOW);
    assert.equal(tooltip, [
      '**api** (instance 0, generation 3)', '', '- state: `failed`', '- pid: —', '- restarts: 0',
      '- last exit code: 2', '- ports: 3000', '', '_port 3000 in use \\(by \\*x\\*\\)_',
    ].join('\n'));
  });
});

describe('the master node', () => {
  it('shows state, generation and the last reload result with its time', () => {
    const view = masterView(snapshot({ lastReload: { ...failedReload, ok: true, error: undefined } }), NOW);
    assert.equal(view.label, 'Master (running)');
    assert.equal(view.description, 'gen 4 · reload ok 1m ago');
    assert.deepEqual(view.icon, { id: 'server-process', color: 'testing.iconPassed' });
    assert.equal(view.contextValue, 'master.running');
  });
  it('turns into a warning with the reason in wait mode', () => {
    const view = masterView(snapshot({ state: 'wait', lastReload: failedReload }), NOW);
    assert.equal(view.label, 'Wait mode');
    assert.equal(view.description, "line 7: unknown key 'comand' · keeping gen 4");
    assert.deepEqual(view.icon, { id: 'warning', color: 'list.warningForeground' });
    assert.equal(view.contextValue, 'master.wait');
    assert.equal(view.ariaLabel, "Master: wait mode, line 7: unknown key 'comand' · keeping gen 4");
    assert.match(view.tooltip, /\*\*Wait mode\*\*: line 7: unknown key 'comand'/);
  });
  it('on a first start with a broken config says nothing was started, and calls the failed load a start-up (QA)', () => {
    const startup: ReloadResult = { ...failedReload, trigger: 'startup', generation: 1, at: '2026-11-26T01:00:00Z' };
    const first = snapshot({ state: 'wait', generation: 0, reloads: 0, failedReloads: 0, workers: [], lastReload: startup });
    const view = masterView(first, NOW);
    assert.equal(view.description, "line 7: unknown key 'comand' · nothing started");
    assert.match(view.tooltip, /- reloads: 0 \(0 failed\)\n- last: start-up failed just now/);
    assert.match(view.tooltip, /Nothing was started: the workers start once the config is fixed and reloaded\. Fix the config and reload\./);
    assert.doesNotMatch(view.tooltip, /last good workers/);
    const bar = statusBarView('connected', first);
    assert.equal(bar.text, '$(warning) Steward: wait mode · nothing started');
    assert.doesNotMatch(bar.tooltip, /last good workers/);
    assert.deepEqual(reloadOutcome(startup, false, true), {
      severity: 'warning',
      text: "Steward could not start the workers (line 7:5): unknown key 'comand'. Nothing was started: the workers start once the config is fixed and reloaded.",
    });
  });
  it('shows a shield when worker commands are disabled', () => {
    const view = masterView(snapshot({ workersEnabled: false }), NOW);
    assert.deepEqual(view.icon, { id: 'shield', color: 'list.warningForeground' });
    assert.equal(view.label, 'Master (restricted: runs no worker)');
  });
});

describe('the status bar', () => {
  it('counts ready workers of the current generation', () => {
    const workers = [worker(), worker({ name: 'web', state: 'starting' }), worker({ name: 'old', draining: true })];
    assert.deepEqual(readyCounts(snapshot({ workers })), { ready: 1, total: 2 });
    assert.deepEqual(statusBarView('connected', snapshot()), {
      text: 'Steward: gen 4 · 2/2 ready', tooltip: 'Steward master running, generation 4',
    });
  });
  it('has a warning background in wait mode', () => {
    const view = statusBarView('connected', snapshot({ state: 'wait', lastReload: failedReload }));
    assert.equal(view.text, '$(warning) Steward: wait mode · gen 4 · 2/2 ready');
    assert.equal(view.backgroundColor, 'statusBarItem.warningBackground');
  });
  it('spins while reloading and says why when not connected', () => {
    assert.equal(statusBarView('connected', snapshot({ state: 'reloading' })).text, '$(sync~spin) Steward: gen 4 · 2/2 ready');
    assert.equal(statusBarView('connecting', undefined).text, '$(loading~spin) Steward: starting…');
    assert.equal(statusBarView('untrusted', undefined).text, '$(shield) Steward: restricted');
    assert.equal(statusBarView('connected', snapshot({ workersEnabled: false })).text, '$(shield) Steward: restricted');
    assert.equal(statusBarView('stopped', snapshot()).text, '$(debug-stop) Steward: stopped');
  });
});

describe('wait-mode transitions', () => {
  const running = snapshot();
  const waiting = snapshot({ state: 'wait', lastReload: failedReload });
  it('are detected once on entry and once on recovery', () => {
    assert.equal(waitTransition(running, waiting), 'entered');
    assert.equal(waitTransition(undefined, waiting), 'entered');
    assert.equal(waitTransition(waiting, waiting), 'none');
    assert.equal(waitTransition(waiting, snapshot({ state: 'reloading' })), 'none');
    assert.equal(waitTransition(waiting, running), 'left');
    assert.equal(waitTransition(running, running), 'none');
  });
});

describe('reload outcomes', () => {
  const plan = { start: ['web'], stop: [], restart: ['api'], keep: ['db'] };
  it('say what an applied reload restarted, and that it ended wait mode', () => {
    const applied: ReloadResult = { ok: true, generation: 5, trigger: 'command', durationMs: 80, at: '2026-11-26T01:00:00Z', plan };
    assert.deepEqual(reloadOutcome(applied, false), { severity: 'info', text: 'Steward reload applied: generation 5, restarted api; started web.' });
    assert.equal(reloadOutcome(applied, true).text, 'Steward reload applied: generation 5, restarted api; started web. Wait mode ended.');
  });
  it('say why a rejected reload entered wait mode, with the location', () => {
    assert.deepEqual(reloadOutcome(failedReload, false), {
      severity: 'warning',
      text: "Steward reload rejected (line 7:5): unknown key 'comand'. Wait mode: the last good workers keep running.",
    });
  });
  it('describe a dry run as a plan', () => {
    const dry: ReloadResult = { ok: true, dryRun: true, generation: 4, trigger: 'command', durationMs: 3, at: '2026-11-26T01:00:00Z', plan };
    assert.equal(reloadOutcome(dry, false).text, 'Steward reload plan: restart api; start web; keep db.');
    assert.equal(planSummary({ start: [], stop: [], restart: [], keep: ['db'] }, 'future'), 'nothing would change');
    assert.equal(planSummary(undefined, 'past'), 'nothing changed');
  });
});
