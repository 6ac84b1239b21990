/** The reload plan (diff of generations) and dependency order, as pure functions. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { WorkerSpec } from '../../supervisor/config/model';
import { directDependents, topologicalOrder } from '../../supervisor/core/dependencyOrder';
import { planReload, sameRuntime, summarizePlan } from '../../supervisor/core/plan';

function spec(name: string, overrides: Partial<WorkerSpec> = {}): WorkerSpec {
  return {
    name,
    command: `run ${name}`,
    cwd: '/w',
    env: {},
    ports: [],
    dependsOn: [],
    restart: 'on-failure',
    stop: { signal: 'SIGTERM', timeoutMs: 5_000 },
    replicas: 1,
    line: 1,
    ...overrides,
  };
}

const running = (...specs: WorkerSpec[]) => specs.flatMap((s) => Array.from({ length: s.replicas }, (_, instance) => ({ spec: s, instance })));

describe('planReload', () => {
  test('an unchanged worker is kept, a changed one restarted, a new one started, a removed one stopped', () => {
    const steps = planReload(running(spec('db'), spec('api'), spec('old')), [spec('db'), spec('api', { command: 'run api --v2' }), spec('web')]);
    assert.deepEqual(summarizePlan(steps), { start: ['web'], stop: ['old'], restart: ['api'], keep: ['db'] });
  });

  test('moving a worker in the file (its line) or reordering its env or depends_on changes nothing', () => {
    const [db, cache] = [{ name: 'db', condition: 'ready' as const }, { name: 'cache', condition: 'started' as const }];
    const before = spec('api', { env: { A: '1', B: '2' }, line: 3, dependsOn: [db, cache] });
    const after = spec('api', { env: { B: '2', A: '1' }, line: 30, dependsOn: [cache, db] });
    assert.ok(sameRuntime(before, after));
    assert.ok(!sameRuntime(before, spec('api', { dependsOn: [db, { ...cache, condition: 'ready' }] })), 'a changed condition is a change');
    assert.ok(sameRuntime(spec('api', { ready: undefined }), spec('api')), 'a key set to undefined is no key');
    assert.deepEqual(summarizePlan(planReload(running(before), [after])).keep, ['api']);
  });

  test('any other field counts as a change', () => {
    const base = spec('api');
    const changes: Partial<WorkerSpec>[] = [
      { cwd: '/x' },
      { env: { A: '1' } },
      { ports: [1] },
      { dependsOn: [{ name: 'db', condition: 'ready' }] },
      { ready: { kind: 'log', pattern: 'up', timeoutMs: 1_000 } },
      { restart: 'always' },
      { stop: { signal: 'SIGINT', timeoutMs: 5_000 } },
    ];
    for (const change of changes) {
      assert.deepEqual(summarizePlan(planReload(running(base), [spec('api', change)])).restart, ['api'], JSON.stringify(change));
    }
  });

  test('scaling replicas adds or removes instances and keeps the others', () => {
    const up = planReload(running(spec('api', { replicas: 2 })), [spec('api', { replicas: 4 })]);
    assert.deepEqual(
      up.map((s) => [s.instance, s.action]),
      [
        [0, 'keep'],
        [1, 'keep'],
        [2, 'start'],
        [3, 'start'],
      ],
    );
    const down = planReload(running(spec('api', { replicas: 3 })), [spec('api', { replicas: 1 })]);
    assert.deepEqual(summarizePlan(down), { start: [], stop: ['api'], restart: [], keep: ['api'] });
    assert.deepEqual(down.filter((s) => s.action === 'stop').map((s) => s.instance), [1, 2]);
  });

  test('--all restarts every kept instance', () => {
    const steps = planReload(running(spec('db'), spec('api')), [spec('db'), spec('api')], { all: true });
    assert.deepEqual(summarizePlan(steps).restart, ['db', 'api']);
  });

  test('a failed instance is restarted by any reload, even unchanged', () => {
    const steps = planReload([{ spec: spec('api'), instance: 0, failed: true }], [spec('api')]);
    assert.deepEqual(summarizePlan(steps).restart, ['api']);
  });
});

describe('dependency order', () => {
  const db = spec('db');
  const api = spec('api', { dependsOn: [{ name: 'db', condition: 'ready' }] });
  const web = spec('web', { dependsOn: [{ name: 'api', condition: 'started' }, { name: 'db', condition: 'ready' }] });

  test('every worker comes after its dependencies, whatever the file order', () => {
    const order = topologicalOrder([web, api, db]);
    assert.ok(order.indexOf('db') < order.indexOf('api'));
    assert.ok(order.indexOf('api') < order.indexOf('web'));
  });

  test('dependencies outside the given set are ignored (a partial reload)', () => {
    assert.deepEqual(topologicalOrder([web]), ['web']);
  });

  test('from given roots: only they and what they depend on, directly or not, dependencies first', () => {
    const other = spec('other');
    assert.deepEqual(topologicalOrder([other, web, api, db], [api]), ['db', 'api']);
    assert.deepEqual(topologicalOrder([other, db, api, web], [web]), ['db', 'api', 'web']);
  });

  test('a cycle is reported, never looped on', () => {
    assert.throws(() => topologicalOrder([spec('a', { dependsOn: [{ name: 'b', condition: 'started' }] }), spec('b', { dependsOn: [{ name: 'a', condition: 'started' }] })]), /dependency cycle: a → b → a/);
  });

  test('direct dependents', () => {
    assert.deepEqual(directDependents('db', [db, api, web]), ['api', 'web']);
  });
});
