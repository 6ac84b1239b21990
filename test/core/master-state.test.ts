/**
 * The master's state machine and reload transaction with scripted workers
 * (no processes: these cases are about ordering and bookkeeping, which a
 * script expresses exactly), and an in-memory config source.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { LogLine, WorkerState, WorkerStatus } from '../../shared/protocol';
import type { StewardConfig, WorkerSpec } from '../../supervisor/config/model';
import type { ConfigRead } from '../../supervisor/core/configSource';
import { Master } from '../../supervisor/core/master';
import { canTransition, ShuttingDownError } from '../../supervisor/core/masterState';
import type { ManagedWorker, StartOutcome, WorkerEvents } from '../../supervisor/core/workerPort';

/**
 * A worker whose start succeeds unless its command contains "fail", or waits for a stop when it contains "hang";
 * records start/stop in `journal`.
 */
class ScriptedWorker implements ManagedWorker {
  draining = false;
  private state: WorkerState = 'starting';
  private static nextPid = 1000;
  private pid: number | null = null;
  private stopped: (() => void) | undefined;

  constructor(
    readonly spec: WorkerSpec,
    readonly instance: number,
    public generation: number,
    private readonly events: WorkerEvents,
    private readonly journal: string[],
  ) {}

  async start(): Promise<StartOutcome> {
    this.journal.push(`start ${this.spec.name} (${this.spec.command})`);
    if (this.spec.command.includes('hang')) {
      await new Promise<void>((resolve) => (this.stopped = resolve));
      return { ok: false, reason: 'stopped on request during start-up', stopped: true };
    }
    await new Promise((resolve) => setImmediate(resolve));
    if (this.spec.command.includes('fail')) return this.move('failed', { ok: false, reason: 'never became ready' });
    this.pid = ScriptedWorker.nextPid++;
    return this.move('running', { ok: true });
  }

  async stop(): Promise<void> {
    this.journal.push(`stop ${this.spec.name}`);
    this.pid = null;
    this.stopped?.();
    // As a real worker: one that has settled (failed, exited) stays as it is.
    if (this.state !== 'failed') this.move('exited', undefined);
  }

  async restart(): Promise<StartOutcome> {
    await this.stop();
    return this.start();
  }

  /** As a real worker: only one never started settles in `failed`. */
  block(): void {
    if (this.state === 'starting') this.move('failed', undefined);
  }

  status(): WorkerStatus {
    const { name, ports, line } = this.spec;
    return { name, instance: this.instance, pid: this.pid, generation: this.generation, state: this.state, restarts: 0, exitCode: null, ports, startedAt: null, line };
  }

  recentLogs(): LogLine[] {
    return [];
  }

  private move<T>(state: WorkerState, result: T): T {
    this.state = state;
    this.events.onChange(this);
    return result;
  }
}

function spec(name: string, overrides: Partial<WorkerSpec> = {}): WorkerSpec {
  return { name, command: `run ${name}`, cwd: tmpdir(), env: {}, ports: [], dependsOn: [], restart: 'on-failure', stop: { signal: 'SIGTERM', timeoutMs: 100 }, replicas: 1, line: 3, ...overrides };
}

const valid = (...workers: WorkerSpec[]): ConfigRead => {
  const config: StewardConfig = { version: 1, file: '/w/steward.yaml', dir: '/w', workers };
  return { ok: true, config, text: workers.map((w) => `  ${w.name}:`).join('\n'), diagnostics: [] };
};
const invalid: ConfigRead = { ok: false, error: { message: 'bad', line: 4, column: 2 }, errors: [{ message: 'bad', line: 4, column: 2 }], text: 'x', diagnostics: [] };

function harness(first: ConfigRead, configFile = '/w/steward.yaml') {
  let next: ConfigRead | (() => ConfigRead) = first;
  const journal: string[] = [];
  const master = new Master({
    configFile,
    readConfig: async () => (typeof next === 'function' ? next() : next),
    createWorker: (s, instance, generation, events) => new ScriptedWorker(s, instance, generation, events, journal),
  });
  const states: string[] = [];
  master.onChange(() => {
    if (states.at(-1) !== master.status().state) states.push(master.status().state);
  });
  return { master, journal, states, setConfig: (read: ConfigRead | (() => ConfigRead)) => (next = read) };
}

const db = spec('db');
const api = spec('api', { dependsOn: [{ name: 'db', condition: 'ready' }] });

describe('master state machine', () => {
  test('the transition table allows exactly the documented moves', () => {
    assert.ok(canTransition('reloading', 'wait') && canTransition('wait', 'reloading') && canTransition('running', 'stopping'));
    assert.ok(!canTransition('running', 'wait'), 'wait is entered only through a reload');
    assert.ok(!canTransition('stopping', 'running'), 'stopping is final');
  });

  test('startup starts dependencies first; the first good load is generation 1, not counted as a reload', async () => {
    const { master, journal } = harness(valid(api, db));
    const result = await master.start();
    assert.equal(result.ok, true);
    assert.deepEqual(journal, ['start db (run db)', 'start api (run api)']);
    const snapshot = master.status();
    assert.deepEqual([snapshot.state, snapshot.generation, snapshot.reloads], ['running', 1, 0]);
  });

  test('an invalid first load leaves an editor master in wait mode with no worker', async () => {
    const { master } = harness(invalid);
    const result = await master.start();
    assert.equal(result.ok, false);
    assert.deepEqual([master.status().state, master.status().generation, master.status().workers.length], ['wait', 0, 0]);
  });

  test('invalid config → wait, nothing touched, counted; a good reload → running', async () => {
    const { master, journal, states, setConfig } = harness(valid(db, api));
    await master.start();
    journal.length = 0;
    setConfig(invalid);
    const failed = await master.reload({ trigger: 'cli' });
    assert.deepEqual([failed.ok, failed.error?.line, journal.length], [false, 4, 0]);
    assert.deepEqual([master.status().reloads, master.status().failedReloads], [1, 1]);
    setConfig(valid(db, api));
    assert.equal((await master.reload({ trigger: 'cli' })).ok, true);
    assert.deepEqual(states, ['reloading', 'running', 'reloading', 'wait', 'reloading', 'running']);
    assert.equal(journal.length, 0, 'the same config changes nothing');
  });

  test('a reload of byte-identical text answers like a full no-op reload without reading the config again; all or wait mode read it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'steward-noop-'));
    try {
      const file = join(dir, 'steward.yaml');
      const good = valid(db, api);
      writeFileSync(file, `${good.text}\n# edited`);
      let reads = 0;
      const { master, journal, setConfig } = harness(good, file);
      setConfig(() => ((reads += 1), good));
      await master.start();
      const full = await master.reload({ trigger: 'cli' });
      assert.equal(reads, 2, 'a different text is read');
      writeFileSync(file, good.text!);
      const fast = await master.reload({ trigger: 'cli' });
      assert.equal(reads, 2, 'the same text is not read again');
      assert.deepEqual([fast.ok, fast.plan, fast.generation, fast.error], [full.ok, full.plan, full.generation + 1, undefined]);
      assert.deepEqual([master.status().generation, master.status().reloads, journal.length], [3, 2, 2]);
      assert.ok(master.status().workers.every((worker) => worker.generation === 3), 'kept workers join the new generation');
      await master.reload({ all: true, trigger: 'cli' });
      assert.equal(reads, 3, '--all reads the config');
      setConfig(() => ((reads += 1), invalid));
      writeFileSync(file, 'x');
      await master.reload({ trigger: 'cli' });
      await master.reload({ trigger: 'cli' });
      assert.equal(reads, 5, 'in wait mode every reload reads the config');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('an exception inside the reload ends in wait mode, never in a throw', async () => {
    const { master, setConfig } = harness(valid(db));
    await master.start();
    setConfig(() => {
      throw new Error('disk on fire');
    });
    const result = await master.reload({});
    assert.equal(result.ok, false);
    assert.match(result.error?.message ?? '', /internal error during reload: disk on fire/);
    assert.equal(master.status().state, 'wait');
  });

  test('a dry run returns the plan and touches nothing', async () => {
    const { master, journal, setConfig } = harness(valid(db, api));
    await master.start();
    journal.length = 0;
    setConfig(valid(db, spec('api', { command: 'run api v2' })));
    const result = await master.reload({ dryRun: true });
    assert.deepEqual(result.plan, { start: [], stop: [], restart: ['api'], keep: ['db'] });
    assert.equal(result.dryRun, true);
    assert.deepEqual([journal.length, master.status().reloads, master.status().state], [0, 0, 'running']);
  });

  test('a changed worker that fails is rolled back to its old definition; its dependents were stopped first', async () => {
    const web = spec('web', { dependsOn: [{ name: 'api', condition: 'started' }] });
    const { master, journal, setConfig } = harness(valid(db, api, web));
    await master.start();
    journal.length = 0;
    setConfig(valid(db, spec('api', { command: 'fail api', dependsOn: api.dependsOn }), spec('web', { command: 'run web v2', dependsOn: web.dependsOn })));
    const result = await master.reload({});
    assert.equal(result.ok, false);
    assert.match(result.error?.message ?? '', /worker api failed to start: never became ready; rolled back/);
    assert.deepEqual(journal.slice(0, 3), ['stop web', 'stop api', 'start api (fail api)']);
    assert.ok(journal.includes('start api (run api)'), 'the last good api runs again');
    const byName = Object.fromEntries(master.status().workers.map((w) => [w.name, w]));
    assert.equal(byName.api.generation, 1);
    assert.equal(master.status().state, 'wait');
  });

  test('a failed reload is undone as a whole: removed workers start again, added ones (failed or not) are removed', async () => {
    const cache = spec('cache');
    const { master, journal, setConfig } = harness(valid(db, cache));
    await master.start();
    journal.length = 0;
    const next = valid(db, spec('extra'), spec('broken', { command: 'fail broken' }));
    setConfig(next);
    const result = await master.reload({});
    assert.equal(result.ok, false);
    assert.match(result.error?.message ?? '', /worker broken failed to start: never became ready; it is new, so it was removed; the reload's other changes were undone/);
    assert.ok(journal.includes('stop extra'), 'an added worker that started is stopped again');
    assert.ok(journal.indexOf('start cache (run cache)') > journal.indexOf('stop cache'), 'the removed worker runs again');
    const running = master.status().workers.map((w) => [w.name, w.generation, w.state]);
    assert.deepEqual(running, [['db', 1, 'running'], ['cache', 1, 'running']]);
    assert.deepEqual([master.status().state, master.status().generation], ['wait', 1]);
    journal.length = 0;
    const again = await master.reload({});
    assert.deepEqual(again.plan, { start: ['extra', 'broken'], stop: ['cache'], restart: [], keep: ['db'] }, 'the failed new worker is started afresh, not "rolled back" to itself');
    assert.ok(!again.error?.message.includes('rollback failed'));
  });

  test('a start-up with a failing worker keeps the others running, lists the failed and its blocked dependents, at generation 1, in wait mode', async () => {
    const broken = spec('broken', { command: 'fail broken' });
    const dependent = spec('dependent', { dependsOn: [{ name: 'broken', condition: 'ready' }] });
    const { master } = harness(valid(db, broken, dependent));
    const result = await master.start();
    assert.equal(result.ok, false);
    assert.match(result.error?.message ?? '', /^worker broken failed to start: never became ready \(and 1 more: dependent\)$/);
    assert.match(result.errors?.[0]?.message ?? '', /^worker dependent failed to start: dependency broken failed to start: never became ready$/);
    const workers = master.status().workers.map((w) => [w.name, w.generation, w.state]);
    assert.deepEqual(workers, [['db', 1, 'running'], ['broken', 1, 'failed'], ['dependent', 1, 'failed']]);
    assert.deepEqual([master.status().state, master.status().generation], ['wait', 1]);
    assert.equal(await master.shutdown(), 1, 'only db was still running: the failed ones are not counted as stopped');
  });

  test('a start-up where the user stopped a worker while it started is not a failed one: the others run, its dependents are listed with why they did not start', async () => {
    const slow = spec('slow', { command: 'hang slow' });
    const dependent = spec('dependent', { dependsOn: [{ name: 'slow', condition: 'ready' }] });
    const { master, journal } = harness(valid(db, slow, dependent));
    const starting = master.start();
    await new Promise((resolve) => setImmediate(resolve));
    assert.ok(journal.includes('start slow (hang slow)'));
    await master.stopWorker({ name: 'slow' });
    const result = await starting;
    assert.deepEqual([result.ok, result.error, master.status().state], [true, undefined, 'running']);
    assert.deepEqual(master.status().workers.map((w) => [w.name, w.state]), [['db', 'running'], ['slow', 'exited'], ['dependent', 'failed']]);
  });

  test('a stop does not queue behind a reload that waits for a probe, except after a start of the same worker asked for before it', async () => {
    const other = spec('other');
    const { master, journal, setConfig } = harness(valid(db, other));
    await master.start();
    await master.stopWorker({ name: 'other' });
    setConfig(valid(db, other, spec('slow', { command: 'hang slow' })));
    const reload = master.reload({});
    while (!master.status().workers.some((w) => w.name === 'slow')) await new Promise((resolve) => setImmediate(resolve));
    const start = master.startWorker({ name: 'other' });
    const [dbStopped] = await master.stopWorker({ name: 'db' });
    assert.deepEqual([dbStopped.state, master.status().state], ['exited', 'reloading'], 'db stopped while the reload still waits');
    journal.length = 0;
    const stopOther = master.stopWorker({ name: 'other' });
    await master.stopWorker({ name: 'slow' });
    assert.equal((await reload).ok, false, 'the reload whose start was stopped failed');
    await start;
    const [otherStopped] = await stopOther;
    assert.equal(otherStopped.state, 'exited');
    assert.ok(journal.indexOf('start other (run other)') < journal.lastIndexOf('stop other'), journal.join(' / '));
  });

  test('a reload tries a failed worker again; failing again, it stays failed and does not undo the reload', async () => {
    const broken = spec('broken', { command: 'fail broken' });
    const { master, journal, setConfig } = harness(valid(db, broken));
    await master.start();
    journal.length = 0;
    setConfig(valid(spec('db', { command: 'run db v2' }), broken));
    const result = await master.reload({});
    assert.equal(result.ok, true, result.error?.message);
    assert.deepEqual(result.warnings?.map((w) => w.message), ["worker broken failed to start again: never became ready (it had failed before; the reload's changes are applied)"]);
    assert.deepEqual(result.plan, { start: [], stop: [], restart: ['db', 'broken'], keep: [] });
    assert.ok(journal.includes('start broken (fail broken)') && journal.includes('start db (run db v2)'));
    const workers = master.status().workers.map((w) => [w.name, w.generation, w.state]);
    assert.deepEqual(workers, [['db', 2, 'running'], ['broken', 2, 'failed']]);
    assert.deepEqual([master.status().state, master.status().generation], ['running', 2]);
  });

  test('a failed worker stays listed as it was when a reload that tried it again is undone', async () => {
    const broken = spec('broken', { command: 'fail broken' });
    const { master, setConfig } = harness(valid(db, broken));
    await master.start();
    const before = master.status().workers.find((w) => w.name === 'broken');
    setConfig(valid(db, broken, spec('new', { command: 'fail new' })));
    const result = await master.reload({});
    assert.equal(result.ok, false);
    assert.match(result.error?.message ?? '', /worker new failed to start/);
    assert.doesNotMatch(result.error?.message ?? '', /rollback failed/, 'the failed worker is not retried by the undo');
    assert.deepEqual(master.status().workers.find((w) => w.name === 'broken'), before);
    assert.deepEqual(master.status().workers.map((w) => w.name), ['db', 'broken']);
  });

  test('after shutdown every worker is stopped, dependents first, and reloads are refused', async () => {
    const { master, journal } = harness(valid(db, api));
    await master.start();
    journal.length = 0;
    assert.equal(await master.shutdown(), 2);
    assert.deepEqual(journal, ['stop api', 'stop db']);
    assert.equal(master.status().state, 'stopping');
    await assert.rejects(master.reload({}), ShuttingDownError);
  });
});
