/**
 * Must-show 1, 2, 3 and 7 of issue 4, through the real bundle: reloads that
 * change one worker, that fail in every way a config can fail, that roll a
 * never-ready worker back, and a burst of 50 requests.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ReloadRequest, type ReloadResult, type WorkerStatus } from '../../shared/protocol';
import { cli, freePort, withRpc, withWorkspace, pids, status, up, waitForWorkersUp, writeConfig, type Workspace } from '../helpers/master';
import { markedProcesses, waitUntil } from '../helpers/procs';

const threeSleepers = (webSeconds = 300): string => `version: 1
workers:
  db:
    command: sleep 300
  api:
    command: sleep 300
    depends_on: [db]
  web:
    command: sleep ${webSeconds}
    depends_on: { api: started }
`;

const probePending = (worker: WorkerStatus): boolean => worker.state === 'starting' && worker.pid !== null;

/**
 * Once worker `name` is as `waitedOn` says (what a running reload or start waits for), `steward stop` of it:
 * it must answer well before that wait would end (a minute-long probe, a migration of 2000 s).
 */
async function stopOnceWaitedOn(ws: Workspace, name: string, waitedOn: (worker: WorkerStatus) => boolean, message: string): Promise<void> {
  await waitUntil(async () => (await status(ws)).workers.some((w) => w.name === name && waitedOn(w)), { message });
  const started = Date.now();
  const stop = await cli(ws, ['stop', name]);
  assert.equal(stop.code, 0, stop.stdout + stop.stderr);
  assert.ok(Date.now() - started < 10_000, 'the stop did not queue behind the wait');
}

describe('steward reload', () => {
  test('changing one worker gives only that worker a new pid', () =>
    withWorkspace('reload-one', threeSleepers(), async (ws) => {
      await up(ws);
      const before = pids(await waitForWorkersUp(ws));
      writeConfig(ws, threeSleepers(301));
      const reload = await cli(ws, ['reload']);
      assert.equal(reload.code, 0, reload.stdout + reload.stderr);
      assert.match(reload.stdout, /restart\s+web/);
      const after = await waitForWorkersUp(ws);
      assert.equal(after.state, 'running');
      assert.equal(after.generation, 2);
      assert.equal(pids(after).db, before.db);
      assert.equal(pids(after).api, before.api);
      assert.notEqual(pids(after).web, before.web);
      assert.equal(after.workers.find((w) => w.name === 'db')?.generation, 2, 'an unchanged worker is carried into the new generation');
    }));

  test('--dry-run prints the plan and touches nothing; --all replaces every worker', () =>
    withWorkspace('reload-all', threeSleepers(), async (ws) => {
      await up(ws);
      const before = pids(await waitForWorkersUp(ws));
      writeConfig(ws, threeSleepers(305));
      const dryRun = await cli(ws, ['reload', '--dry-run']);
      assert.equal(dryRun.code, 0);
      assert.match(dryRun.stdout, /plan \(dry run, nothing was changed\):\n {2}start {3}-\n {2}stop {4}-\n {2}restart web\n {2}keep {4}db, api/);
      const unchanged = await status(ws);
      assert.deepEqual([pids(unchanged), unchanged.reloads, unchanged.generation], [before, 0, 1]);
      const all = await cli(ws, ['reload', '--all']);
      assert.equal(all.code, 0, all.stdout + all.stderr);
      const after = pids(await waitForWorkersUp(ws));
      for (const name of ['db', 'api', 'web']) assert.notEqual(after[name], before[name], name);
    }));

  test('an invalid config is rejected with line and column: exit 1, same pids, wait mode; fixing it leaves wait mode', () =>
    withWorkspace('reload-invalid', threeSleepers(), async (ws) => {
      await up(ws);
      const before = pids(await waitForWorkersUp(ws));
      writeConfig(ws, threeSleepers().replace('    depends_on: [db]\n', '    depends_on: [db]\n    restart: sometimes\n'));
      const reload = await cli(ws, ['reload']);
      assert.equal(reload.code, 1);
      assert.match(reload.stdout, /steward\.yaml:8:14: error: .*restart/);
      const waiting = await status(ws);
      assert.equal(waiting.state, 'wait');
      assert.deepEqual(pids(waiting), before);
      assert.equal(waiting.failedReloads, 1);
      assert.deepEqual([waiting.lastReload?.error?.line, waiting.lastReload?.error?.column], [8, 14]);

      writeConfig(ws, threeSleepers());
      assert.equal((await cli(ws, ['reload'])).code, 0);
      const fixed = await status(ws);
      assert.equal(fixed.state, 'running');
      assert.deepEqual(pids(fixed), before, 'the fixed config equals the running one: nothing restarts');
    }));

  test('an unchanged config whose worker cwd was removed is rejected like a changed one, located, and the workers survive', () =>
    withWorkspace('reload-cwd-gone', `version: 1
workers:
  db:
    command: sleep 300
  api:
    command: sleep 300
    cwd: api
`, async (ws) => {
      mkdirSync(`${ws.dir}/api`);
      await up(ws);
      const before = pids(await waitForWorkersUp(ws));
      rmSync(`${ws.dir}/api`, { recursive: true });
      const reload = await cli(ws, ['reload']);
      assert.equal(reload.code, 1, reload.stdout + reload.stderr);
      assert.match(reload.stdout, /steward\.yaml:7:10: error: cwd directory 'api' .* does not exist/);
      const waiting = await status(ws);
      assert.equal(waiting.state, 'wait');
      assert.deepEqual(pids(waiting), before);
      mkdirSync(`${ws.dir}/api`);
      assert.equal((await cli(ws, ['reload'])).code, 0);
      assert.equal((await status(ws)).state, 'running');
      assert.deepEqual(pids(await status(ws)), before, 'back, and nothing restarted');
    }));

  test('a deleted, unreadable (symlink loop) or directory config file is rejected too, and the workers survive', () =>
    withWorkspace('reload-missing', threeSleepers(), async (ws) => {
      await up(ws);
      const before = pids(await waitForWorkersUp(ws));
      // "Unreadable" for root: chmod 000 does not stop root from reading, and a
      // FIFO would block the reader instead of failing; a symlink loop (ELOOP)
      // is a file that no one can read.
      const breakages: [string, () => void, RegExp][] = [
        ['deleted', () => undefined, /config file not found/],
        ['a symlink loop', () => symlinkSync('steward.yaml', ws.config), /symbolic link loop/],
        ['a directory', () => mkdirSync(ws.config), /config file is a directory/],
      ];
      for (const [what, breakIt, message] of breakages) {
        rmSync(ws.config, { recursive: true, force: true });
        breakIt();
        // No --config: from the workspace, a master whose steward.yaml is gone or broken is still found.
        const reload = await cli(ws, ['reload']);
        assert.equal(reload.code, 1, `reload with the config ${what}`);
        assert.match(reload.stdout, message);
        const waiting = await status(ws);
        assert.equal(waiting.state, 'wait');
        assert.deepEqual(pids(waiting), before);
        const { line, column } = waiting.lastReload?.error ?? {};
        assert.deepEqual([line, column], [1, 1], 'a file-level error is located at the start of the file');
      }
      rmSync(ws.config, { recursive: true, force: true });
      writeConfig(ws, threeSleepers());
      assert.equal((await cli(ws, ['reload'])).code, 0);
      assert.equal((await status(ws)).state, 'running');
      assert.equal((await status(ws)).failedReloads, 3);
    }));

  test('a first up with an invalid config exits 1, prints the error and starts nothing', () =>
    withWorkspace('up-invalid', threeSleepers().replace('sleep 300', 'sleep 300\n    replicas: many'), async (ws) => {
      const result = await cli(ws, ['up', '-d']);
      assert.equal(result.code, 1);
      assert.match(result.stderr, /steward\.yaml:5:\d+: error: .*replicas/);
      assert.equal((await cli(ws, ['status'])).code, 2, 'no master runs');
      assert.deepEqual(markedProcesses(ws.marker).filter((p) => p.command === 'sleep 300'), []);
    }));

  test('up -d says when a worker failed at the first start; the others run, the failed one is listed with its reason', () =>
    withWorkspace('up-crash', threeSleepers().replace("command: sleep 300\n    depends_on: [db]", "command: sh -c 'echo boom >&2; exit 2'\n    depends_on: [db]"), async (ws) => {
      const result = await cli(ws, ['up', '-d']);
      assert.equal(result.code, 0, 'the master runs');
      assert.match(result.stderr, /start-up failed.*\n.*steward\.yaml:5:3: error: worker api failed to start: exited with code 2 during start-up; last output: boom/);
      const listed = await status(ws);
      assert.deepEqual([listed.state, listed.generation], ['wait', 1]);
      const states = Object.fromEntries(listed.workers.map((w) => [w.name, w.state]));
      assert.deepEqual(states, { db: 'running', api: 'failed', web: 'failed' }, 'web waits for api to have started, which it never did');
      assert.match(listed.workers.find((w) => w.name === 'api')?.reason ?? '', /exited with code 2 during start-up; last output: boom/);
      assert.match(listed.workers.find((w) => w.name === 'web')?.reason ?? '', /^dependency api failed to start: exited with code 2 during start-up; last output: boom$/);
    }));

  test('a changed worker that never becomes ready is rolled back to its old definition, in wait mode with the reason', () =>
    withWorkspace('reload-rollback', threeSleepers(), async (ws) => {
      await up(ws);
      const before = pids(await waitForWorkersUp(ws));
      writeConfig(ws, threeSleepers(302).replace('sleep 302', 'sleep 302\n    ready: { log: "never printed", timeout: 500ms }'));
      const reload = await cli(ws, ['reload']);
      assert.equal(reload.code, 1);
      assert.match(reload.stdout, /worker web failed to start: .*rolled back to its last good definition/);
      const after = await waitForWorkersUp(ws);
      assert.equal(after.state, 'wait');
      assert.match(after.lastReload?.error?.message ?? '', /never printed|ready/);
      assert.equal(after.lastReload?.error?.line, 8, 'located at the worker\'s key');
      const web = after.workers.find((w) => w.name === 'web');
      assert.notEqual(web?.pid, before.web, 'the old definition was started again');
      assert.equal(web?.generation, 1, 'the rolled-back worker belongs to the last good generation');
      assert.match(markedProcesses(ws.marker).find((p) => p.pid === web?.pid)?.command ?? '', /sleep 300/);
      assert.equal(pids(after).db, before.db);
    }));

  test('a changed worker whose Node script throws while it loads (no probe) fails the reload and is rolled back', () =>
    withWorkspace('reload-node-crash', threeSleepers(), async (ws) => {
      writeFileSync(join(ws.dir, 'web.js'), "console.error('loading web');\nthrow new Error('DATABASE_URL is not set');\n");
      await up(ws);
      const before = pids(await waitForWorkersUp(ws));
      writeConfig(ws, threeSleepers().replace('command: sleep 300\n    depends_on: { api', `command: ${process.execPath} web.js\n    depends_on: { api`));
      const reload = await cli(ws, ['reload']);
      assert.equal(reload.code, 1, reload.stdout + reload.stderr);
      assert.match(reload.stdout, /steward\.yaml:8:3: error: worker web failed to start: exited with code 1 during start-up; last output: .*web\.js:2 \| throw new Error\('DATABASE_URL is not set'\); \| Error: DATABASE_URL is not set; rolled back to its last good definition/);
      const after = await waitForWorkersUp(ws);
      assert.equal(after.state, 'wait');
      const web = after.workers.find((w) => w.name === 'web');
      assert.equal(web?.generation, 1, 'the last good definition runs again');
      assert.match(markedProcesses(ws.marker).find((p) => p.pid === web?.pid)?.command ?? '', /sleep 300/);
      assert.deepEqual([pids(after).db, pids(after).api], [before.db, before.api]);
    }));

  test('a changed worker whose declared port another program holds fails the reload before anything stops; its own port is no conflict', () =>
    withWorkspace('reload-port-taken', 'version: 1\n', async (ws) => {
      const [own, taken] = [await freePort(), await freePort()];
      const holder = spawn(process.execPath, ['-e', `require('net').createServer().listen(${taken}, '127.0.0.1', () => console.log('up'))`], { stdio: ['ignore', 'pipe', 'ignore'] });
      try {
        await once(holder.stdout!, 'data');
        writeFileSync(join(ws.dir, 'server.js'), "require('http').createServer((q, r) => r.end('ok')).listen(Number(process.env.PORT), '127.0.0.1');\n");
        const server = (port: number, extra = '') => `version: 1\nworkers:\n  api:\n    command: ${process.execPath} server.js${extra}\n    env: { PORT: "${port}" }\n    ports: [${port}]\n`;
        writeConfig(ws, server(own));
        await up(ws);
        const before = pids(await waitForWorkersUp(ws)).api;
        writeConfig(ws, server(taken));
        // Located at the port's declaration in `ports: [N]`, not at the worker.
        const expected = new RegExp(`steward\\.yaml:6:13: error: worker api cannot start: port ${taken} is already in use by pid ${holder.pid} \\(.*\\); nothing was changed`);
        const dry = await cli(ws, ['reload', '--dry-run']);
        assert.equal(dry.code, 1, dry.stdout + dry.stderr);
        assert.match(dry.stdout, expected);
        const reload = await cli(ws, ['reload']);
        assert.equal(reload.code, 1, reload.stdout + reload.stderr);
        assert.match(reload.stdout, expected);
        const after = await status(ws);
        assert.deepEqual([after.state, pids(after).api], ['wait', before], 'the last good worker was never stopped');
        writeConfig(ws, server(own, ' --again'));
        const again = await cli(ws, ['reload']);
        assert.equal(again.code, 0, again.stdout + again.stderr);
        assert.notEqual(pids(await waitForWorkersUp(ws)).api, before);
      } finally {
        holder.kill('SIGKILL');
      }
    }));

  test('a reload whose new worker cannot start is undone as a whole: the removed worker runs again, the added ones are gone', () =>
    withWorkspace('reload-undo', threeSleepers(), async (ws) => {
      await up(ws);
      const before = pids(await waitForWorkersUp(ws));
      const next = threeSleepers().replace(/ {2}web:[^]*$/, '  extra:\n    command: sleep 303\n  broken:\n    command: steward-no-such-program\n');
      writeConfig(ws, next);
      const reload = await cli(ws, ['reload']);
      assert.equal(reload.code, 1, reload.stdout + reload.stderr);
      assert.match(reload.stdout, /steward\.yaml:10:3: error: worker broken failed to start: .*it is new, so it was removed; the reload's other changes were undone/);
      const after = await waitForWorkersUp(ws);
      assert.deepEqual([after.state, after.generation], ['wait', 1]);
      assert.deepEqual(after.workers.map((w) => [w.name, w.generation]), [['db', 1], ['api', 1], ['web', 1]]);
      assert.deepEqual([pids(after).db, pids(after).api], [before.db, before.api], 'kept workers were never touched');
      assert.notEqual(pids(after).web, before.web, 'the removed worker was started again');
      const commands = markedProcesses(ws.marker).map((p) => p.command);
      assert.ok(!commands.some((command) => command.includes('sleep 303')), `the added worker that started is stopped again: ${commands.join(', ')}`);
      writeConfig(ws, next.replace('steward-no-such-program', 'sleep 304'));
      const fixed = await cli(ws, ['reload']);
      assert.equal(fixed.code, 0, fixed.stdout + fixed.stderr);
      assert.match(fixed.stdout, /start\s+extra, broken\n\s+stop\s+web/);
    }));

  test('a reload cut short by steward down is not reported as a failed reload: exit 2, nothing done', () =>
    withWorkspace('reload-down', threeSleepers(), async (ws) => {
      await up(ws);
      await waitForWorkersUp(ws);
      writeConfig(ws, threeSleepers().replace('command: sleep 300\n', `command: sh -c 'sleep 5; echo up; exec sleep 300'\n    ready: { log: up }\n`));
      const reloading = cli(ws, ['reload']);
      await waitUntil(async () => (await status(ws)).state === 'reloading', { message: 'the reload under way' });
      assert.equal((await cli(ws, ['down'])).code, 0);
      const reload = await reloading;
      assert.equal(reload.code, 2, reload.stdout + reload.stderr);
      assert.match(reload.stderr, /shutting down; nothing was done/);
      assert.doesNotMatch(reload.stdout, /wait mode/);
      assert.deepEqual(markedProcesses(ws.marker).filter((p) => p.command === 'sleep 300'), []);
    }));

  const withOneShot = (apiSeconds: number): string => `version: 1
workers:
  migrate:
    command: sh -c 'echo migrated >> migrations.log'
    restart: never
  api:
    command: sleep ${apiSeconds}
    depends_on: [migrate]
  other:
    command: sleep 300
`;

  test('a dependency that finished its job (exited 0) counts as met; one stopped on request fails a dependent at once', () =>
    withWorkspace('reload-one-shot', withOneShot(300), async (ws) => {
      await up(ws);
      await waitUntil(async () => (await status(ws)).workers.find((w) => w.name === 'migrate')?.state === 'exited', { message: 'migrate done' });
      writeConfig(ws, withOneShot(301));
      const started = Date.now();
      const reload = await cli(ws, ['reload']);
      assert.equal(reload.code, 0, reload.stdout + reload.stderr);
      assert.ok(Date.now() - started < 5_000, 'api did not wait for a migration that already ran');
      assert.equal((await cli(ws, ['stop', 'other'])).code, 0);
      writeConfig(ws, `${withOneShot(301)}  late:\n    command: sleep 302\n    depends_on: [other]\n`);
      const blocked = await cli(ws, ['reload']);
      assert.equal(blocked.code, 1);
      assert.match(blocked.stdout, /worker late did not start: dependency other was stopped on request and will not start by itself/);
      assert.ok(Date.now() - started < 10_000, 'no 31 s wait for a dependency that will not come');
    }));

  test('depends_on completed: the dependent starts once the one-shot exited 0; a one-shot that fails fails it, with the reason', () =>
    withWorkspace('reload-completed', 'version: 1\n', async (ws) => {
      const config = (migration: string, seconds = 300) => `version: 1
workers:
  migrate:
    command: sh -c '${migration}'
    restart: never
  api:
    command: sh -c 'cat .done && exec sleep ${seconds}'
    depends_on: { migrate: completed }
`;
      writeConfig(ws, config('sleep 2; echo ok > .done'));
      const starting = cli(ws, ['up', '-d']);
      await waitUntil(async () => (await status(ws).catch(() => undefined))?.workers.some((w) => w.name === 'api' && w.pid === null && w.state === 'starting' && w.reason === 'waiting for migrate to complete') ?? false, { message: 'api listed while it waits' });
      const first = await starting;
      assert.equal(first.code, 0, first.stdout + first.stderr);
      await waitUntil(async () => (await status(ws)).workers.some((w) => w.name === 'api' && w.state !== 'starting'), { message: 'api past its start' });
      const running = await status(ws);
      assert.deepEqual(running.workers.map((w) => [w.name, w.state, w.exitCode]), [['migrate', 'exited', 0], ['api', 'running', null]], 'api started after the migration had written .done');
      rmSync(join(ws.dir, '.done'));
      writeConfig(ws, config('sleep 0.3; echo "relation users already exists" >&2; exit 3', 301));
      const failed = await cli(ws, ['reload']);
      assert.equal(failed.code, 1, failed.stdout + failed.stderr);
      assert.match(failed.stdout, /worker api failed to start: dependency migrate has ended \(exited with code 3\) and will not start by itself/);
    }));

  test('steward stop of a one-shot that a reload waits to complete acts at once and fails the reload, which is undone', () =>
    withWorkspace('reload-completed-stop', 'version: 1\nworkers:\n  api:\n    command: sleep 300\n', async (ws) => {
      await up(ws);
      const before = pids(await waitForWorkersUp(ws)).api;
      writeConfig(ws, 'version: 1\nworkers:\n  db:\n    command: sleep 2000\n    restart: never\n  api:\n    command: sleep 301\n    depends_on: { db: completed }\n');
      const reload = cli(ws, ['reload']);
      await stopOnceWaitedOn(ws, 'db', (w) => w.state === 'running', 'db runs, api waits for it to complete');
      const result = await reload;
      assert.equal(result.code, 1, result.stdout + result.stderr);
      assert.match(result.stdout, /worker api did not start: dependency db was stopped on request and will not start by itself/);
      const after = await waitForWorkersUp(ws);
      assert.equal(after.state, 'wait');
      const api = after.workers.find((w) => w.name === 'api');
      assert.equal(api?.generation, 1, 'the last good generation runs again');
      assert.notEqual(api?.pid, before, 'restarted by the undo (the reload had stopped it to replace it)');
      assert.match(markedProcesses(ws.marker).find((p) => p.pid === api?.pid)?.command ?? '', /sleep 300/);
      assert.deepEqual(after.workers.map((w) => w.name), ['api'], 'db, added by the failed reload, is gone');
    }));

  test('a worker the user stopped while a reload started its replacement stays stopped through the undo', () =>
    withWorkspace('stop-replacement', 'version: 1\nworkers:\n  c:\n    command: sleep 4010\n  d:\n    command: sleep 4011\n    depends_on: [c]\n', async (ws) => {
      await up(ws);
      const before = pids(await waitForWorkersUp(ws));
      writeConfig(ws, 'version: 1\nworkers:\n  c:\n    command: sleep 4012\n    ready: { log: never printed, timeout: 1m }\n  d:\n    command: sleep 4011\n    depends_on: [c]\n');
      const reload = cli(ws, ['reload']);
      await stopOnceWaitedOn(ws, 'c', probePending, 'the replacement waits for its probe');
      const result = await reload;
      assert.equal(result.code, 1, result.stdout + result.stderr);
      assert.match(result.stdout, /steward\.yaml:3:3: error: worker c did not start: stopped on request during start-up; its last good definition is back, stopped as asked\n/);
      const after = await status(ws);
      assert.deepEqual(after.workers.map((w) => [w.name, w.state, w.generation]), [['c', 'exited', 1], ['d', 'running', 1]]);
      assert.equal(pids(after).d, before.d);
      assert.deepEqual(markedProcesses(ws.marker).filter((p) => /^sleep 401[02]$/.test(p.command)), [], 'no c runs, old or new');
    }));

  test('the undo starts a dependent again even when its dependency had failed before the reload, as it ran then', () =>
    withWorkspace('undo-dependent', 'version: 1\nworkers:\n  p1:\n    command: sleep 5001\n  p2:\n    command: sleep 5002\n    ready: { log: never, timeout: 500ms }\n  q:\n    command: sleep 5003\n    depends_on: [p1, p2]\n', async (ws) => {
      await up(ws);
      await waitUntil(async () => (await status(ws)).workers.some((w) => w.name === 'p2' && w.state === 'failed'), { message: 'p2 failed at start, q ran' });
      const q = (await status(ws)).workers.find((w) => w.name === 'q');
      assert.equal(q?.state, 'running');
      writeConfig(ws, readFileSync(ws.config, 'utf8').replace('timeout: 500ms', 'timeout: 400ms').replace('sleep 5003', 'sleep 5013'));
      const result = await cli(ws, ['reload']);
      assert.equal(result.code, 1);
      assert.doesNotMatch(result.stdout, /rollback failed/);
      const after = await waitForWorkersUp(ws).catch(() => status(ws));
      const back = after.workers.find((w) => w.name === 'q');
      assert.deepEqual([back?.state, back?.generation], ['running', 1]);
      assert.match(markedProcesses(ws.marker).find((p) => p.pid === back?.pid)?.command ?? '', /^sleep 5003$/);
    }));

  test('steward stop of a worker a reload is starting acts at once: that start is cut short, the reload undone, the worker left stopped', () =>
    withWorkspace('reload-stop-starting', threeSleepers(), async (ws) => {
      await up(ws);
      const before = pids(await waitForWorkersUp(ws));
      // api's new probe waits for a line that never comes, for a minute; web (its dependent) is replaced too.
      writeConfig(ws, threeSleepers(301).replace('command: sleep 300\n    depends_on: [db]', 'command: sleep 303\n    ready: { log: never printed, timeout: 1m }\n    depends_on: [db]'));
      const reload = cli(ws, ['reload']);
      await stopOnceWaitedOn(ws, 'api', probePending, 'the reload waits for api\'s probe');
      const result = await reload;
      assert.equal(result.code, 1, result.stdout + result.stderr);
      assert.match(result.stdout, /steward\.yaml:5:3: error: worker api did not start: stopped on request during start-up; its last good definition is back, stopped as asked; the reload's other changes were undone: the last good generation runs/);
      const after = await status(ws);
      assert.equal(after.state, 'wait');
      // web, which the reload had replaced, runs its last good definition again, as it ran then: its api is the user's business.
      assert.deepEqual(after.workers.map((w) => [w.name, w.state, w.generation]), [['db', 'running', 1], ['api', 'exited', 1], ['web', 'running', 1]]);
      assert.equal(pids(after).db, before.db, 'db was kept');
      const commands = markedProcesses(ws.marker).map((p) => p.command).filter((command) => command.startsWith('sleep'));
      assert.deepEqual(commands.sort(), ['sleep 300', 'sleep 300'], 'no api runs, old or new');
    }));

  test('steward stop of a worker that steward start is waiting on acts at once', () =>
    withWorkspace('start-stop-starting', 'version: 1\nworkers:\n  api:\n    command: sleep 300\n    ready: { log: never printed, timeout: 1m }\n', async (ws) => {
      await up(ws);
      const initial = await cli(ws, ['stop', 'api']);
      assert.equal(initial.code, 0, initial.stdout + initial.stderr);
      const start = cli(ws, ['start', 'api']);
      await stopOnceWaitedOn(ws, 'api', probePending, 'steward start waits for api\'s probe');
      const startResult = await start;
      assert.deepEqual([startResult.code, startResult.stderr], [1, 'steward: api was not started: stopped on request during start-up\n']);
      const api = (await status(ws)).workers[0];
      assert.deepEqual([api.state, api.reason, api.pid], ['exited', 'stopped', null]);
      assert.deepEqual(markedProcesses(ws.marker).filter((p) => p.command === 'sleep 300'), []);
    }));

  const probedApi = (seconds: number) => `  api:\n    command: sleep ${seconds}\n    ready: { exec: "test -f ok", timeout: 1m }\n`;
  const waitingWeb = '  web:\n    command: sleep 302\n    depends_on: { api: ready }\n';

  test('steward stop of a worker waiting for its dependency acts at once, under a reload (which fails at once and is undone) and under steward start', () =>
    withWorkspace('stop-waiting', 'version: 1\nworkers:\n  base:\n    command: sleep 300\n', async (ws) => {
      await up(ws);
      const base = pids(await waitForWorkersUp(ws)).base;
      writeConfig(ws, `version: 1\nworkers:\n  base:\n    command: sleep 300\n${probedApi(301)}${waitingWeb}`);
      const reload = cli(ws, ['reload']);
      await stopOnceWaitedOn(ws, 'web', (w) => w.reason === 'waiting for api to be ready', 'web waits for api');
      const result = await reload;
      assert.equal(result.code, 1, result.stdout + result.stderr);
      assert.match(result.stdout, /steward\.yaml:8:3: error: worker web did not start: stopped on request while it waited for its dependencies; it is new, so it was removed; the reload's other changes were undone/);
      const after = await status(ws);
      assert.deepEqual([after.state, after.workers.map((w) => w.name), pids(after).base], ['wait', ['base'], base], 'api, whose probe was still pending, is gone too');

      // steward start web: api is started first for it; web's stop ends the whole start at once.
      writeConfig(ws, `version: 1\nworkers:\n${probedApi(301)}${waitingWeb}`);
      writeFileSync(join(ws.dir, 'ok'), '');
      assert.equal((await cli(ws, ['reload'])).code, 0);
      for (const name of ['web', 'api']) assert.equal((await cli(ws, ['stop', name])).code, 0);
      rmSync(join(ws.dir, 'ok'));
      const start = cli(ws, ['start', 'web']);
      await stopOnceWaitedOn(ws, 'web', () => true, 'web stopped before the start');
      const started = Date.now();
      const refused = await start;
      assert.ok(Date.now() - started < 10_000, 'the start answered without waiting for api\'s probe');
      assert.deepEqual([refused.code, refused.stderr], [1, 'steward: web was not started: stopped on request while it waited for its dependencies\n']);
      assert.deepEqual((await status(ws)).workers.map((w) => [w.name, w.state, w.pid]), [['api', 'exited', null], ['web', 'exited', null]]);
    }));

  test('steward restart of a stopped worker starts what it depends on first; a stop while it starts again says so', () =>
    withWorkspace('restart-stopped', `version: 1\nworkers:\n  api:\n    command: sleep 301\n  web:\n    command: sleep 302\n    depends_on: { api: started }\n  slow:\n    command: sleep 303\n    ready: { exec: "test -f ok", timeout: 1m }\n`, async (ws) => {
      writeFileSync(join(ws.dir, 'ok'), '');
      await up(ws);
      await waitForWorkersUp(ws);
      rmSync(join(ws.dir, 'ok'));
      for (const name of ['web', 'api']) assert.equal((await cli(ws, ['stop', name])).code, 0);
      const restarted = await cli(ws, ['restart', 'web']);
      assert.equal(restarted.code, 0, restarted.stderr);
      assert.match(restarted.stdout, /^api\[0\]: running \(pid \d+\)\nweb\[0\]: running \(pid \d+\)\n$/);

      const restart = cli(ws, ['restart', 'slow']);
      await waitUntil(async () => (await status(ws)).workers.some((w) => w.name === 'slow' && w.restarts === 1), { message: 'slow starts again' });
      await stopOnceWaitedOn(ws, 'slow', probePending, 'slow waits for its probe again');
      assert.deepEqual(await restart.then((r) => [r.code, r.stderr]), [1, 'steward: slow was not restarted: stopped on request during start-up\n']);
      const slow = (await status(ws)).workers.find((w) => w.name === 'slow');
      assert.deepEqual([slow?.state, slow?.reason], ['exited', 'stopped']);
    }));

  test('steward stop of one replica that steward start is starting leaves the other to start; the refusal names the replica', () =>
    withWorkspace('start-stop-replica', 'version: 1\nworkers:\n  rep:\n    command: sleep 304\n    replicas: 2\n    ready: { exec: "test -f ok", timeout: 1m }\n', async (ws) => {
      writeFileSync(join(ws.dir, 'ok'), '');
      await up(ws);
      await waitForWorkersUp(ws);
      assert.equal((await cli(ws, ['stop', 'rep'])).code, 0);
      rmSync(join(ws.dir, 'ok'));
      const start = cli(ws, ['start', 'rep']);
      await waitUntil(async () => (await status(ws)).workers.filter(probePending).length === 2, { message: 'both replicas wait for the probe' });
      assert.equal((await cli(ws, ['stop', 'rep', '--instance', '1'])).code, 0);
      writeFileSync(join(ws.dir, 'ok'), '');
      assert.deepEqual(await start.then((r) => [r.code, r.stderr]), [1, 'steward: rep[1] was not started: stopped on request during start-up\n']);
      assert.deepEqual((await status(ws)).workers.map((w) => [w.instance, w.state]), [[0, 'ready'], [1, 'exited']]);
    }));

  test('fail fast does not wait for a failed worker the reload only tries again', () =>
    withWorkspace('fail-fast-retry', `version: 1\nworkers:\n  ok:\n    command: sleep 300\n  f:\n    command: sh -c 'test -e go && exec sleep 3001; exit 4'\n    ready: { log: up, timeout: 20s }\n`, async (ws) => {
      await up(ws);
      await waitUntil(async () => (await status(ws)).workers.some((w) => w.name === 'f' && w.state === 'failed'), { message: 'f failed at its first start' });
      writeFileSync(join(ws.dir, 'go'), '');
      writeConfig(ws, `${readFileSync(ws.config, 'utf8')}  s:\n    command: sh -c 'exit 5'\n`);
      const started = Date.now();
      const result = await cli(ws, ['reload']);
      assert.ok(Date.now() - started < 10_000, 'not after f\'s 20 s probe');
      assert.equal(result.code, 1, result.stdout + result.stderr);
      assert.match(result.stdout, /error: worker s failed to start: exited with code 5 during start-up; it is new, so it was removed\n/);
    }));

  test('a reload whose new worker crashes at start answers at once: the start still waiting for a probe is stopped, not waited for', () =>
    withWorkspace('fail-fast', 'version: 1\nworkers:\n  base:\n    command: sleep 300\n', async (ws) => {
      await up(ws);
      await waitForWorkersUp(ws);
      writeConfig(ws, `version: 1\nworkers:\n  base:\n    command: sleep 300\n${probedApi(301)}  crash:\n    command: sh -c 'sleep 0.3; echo boom; exit 3'\n    ready: { log: never }\n`);
      const started = Date.now();
      const result = await cli(ws, ['reload']);
      assert.ok(Date.now() - started < 10_000, 'not after api\'s one-minute probe');
      assert.equal(result.code, 1, result.stdout + result.stderr);
      assert.match(result.stdout, /steward\.yaml:8:3: error: worker crash failed to start: exited with code 3 during start-up; last output: boom; it is new, so it was removed; the reload's other changes were undone: the last good generation runs\n {2}start/);
      assert.deepEqual((await status(ws)).workers.map((w) => w.name), ['base']);
      assert.deepEqual(markedProcesses(ws.marker).filter((p) => p.command === 'sleep 301'), [], 'api was stopped');
    }));

  test('env_file: a reload after an edit restarts exactly the workers whose environment changed; a missing file fails it where it is named', () =>
    withWorkspace('reload-env-file', `version: 1
workers:
  api:
    command: sh -c 'echo "greeting=$GREETING port=$PORT"; exec sleep 300'
    env_file: .env
  web:
    command: sh -c 'echo "greeting=$GREETING port=$PORT"; exec sleep 301'
    env_file: [.env, web.env]
    env: { GREETING: own }
  db:
    command: sleep 302
`, async (ws) => {
      writeFileSync(join(ws.dir, '.env'), 'GREETING=hi\nPORT=1\n');
      writeFileSync(join(ws.dir, 'web.env'), 'PORT=2\n');
      await up(ws);
      const before = pids(await waitForWorkersUp(ws));
      assert.match((await cli(ws, ['logs', 'api'])).stdout, /greeting=hi port=1/);
      assert.match((await cli(ws, ['logs', 'web'])).stdout, /greeting=own port=2/, 'a later file over an earlier one, env over both');

      // web's GREETING is its own and its PORT comes from web.env: only api's environment changes.
      writeFileSync(join(ws.dir, '.env'), 'GREETING=hello\nPORT=1\n');
      const reload = await cli(ws, ['reload']);
      assert.equal(reload.code, 0, reload.stdout + reload.stderr);
      assert.match(reload.stdout, /restart\s+api\n\s+keep\s+web, db/);
      const after = pids(await waitForWorkersUp(ws));
      assert.notEqual(after.api, before.api);
      assert.deepEqual([after.web, after.db], [before.web, before.db]);
      assert.match((await cli(ws, ['logs', 'api'])).stdout, /greeting=hello port=1/);

      rmSync(join(ws.dir, 'web.env'));
      const failed = await cli(ws, ['reload']);
      assert.equal(failed.code, 1, failed.stdout + failed.stderr);
      assert.match(failed.stdout, /steward\.yaml:8:22: error: env file 'web\.env' \(.*\/web\.env\) does not exist/);
      const waiting = await status(ws);
      assert.equal(waiting.state, 'wait');
      assert.deepEqual(pids(waiting), after, 'every worker kept running');
      assert.deepEqual(waiting.envFiles, [join(ws.dir, '.env'), join(ws.dir, 'web.env')], 'the missing file is still listed (the running config names it)');
    }));

  test('undoing a reload leaves workers that were not running as they were: a stopped one stays stopped, a finished one-shot does not run again', () =>
    withWorkspace('reload-undo-settled', withOneShot(300), async (ws) => {
      await up(ws);
      await waitUntil(async () => (await status(ws)).workers.find((w) => w.name === 'migrate')?.state === 'exited', { message: 'migrate done' });
      assert.equal((await cli(ws, ['stop', 'other'])).code, 0);
      writeConfig(ws, 'version: 1\nworkers:\n  api:\n    command: sleep 300\n  broken:\n    command: steward-no-such-program\n');
      assert.equal((await cli(ws, ['reload'])).code, 1);
      const after = await status(ws);
      const states = Object.fromEntries(after.workers.map((w) => [w.name, [w.state, w.pid === null]]));
      assert.deepEqual(states, { migrate: ['exited', true], api: ['running', false], other: ['exited', true] });
      assert.equal(readFileSync(join(ws.dir, 'migrations.log'), 'utf8'), 'migrated\n', 'the one-shot ran once');
      const lines = (await cli(ws, ['logs', 'migrate'])).stdout.split('\n').filter(Boolean);
      assert.ok(lines.some((line) => line.endsWith('exited with code 0')), lines.join(' / '));
      assert.equal(new Set(lines).size, lines.length, `a worker put back is not also read as retired: ${lines.join(' / ')}`);
    }));

  test('a failed worker that a reload tried again and brought up keeps running when that reload is undone', () =>
    withWorkspace('reload-undo-recovered', `version: 1
workers:
  gate:
    command: sleep 300
    ready: { exec: "test -f flag", interval: 50ms, timeout: 400ms }
  web:
    command: sleep 301
`, async (ws) => {
      await up(ws);
      await waitUntil(async () => (await status(ws)).workers.find((w) => w.name === 'gate')?.state === 'failed', { message: 'gate failed at start' });
      writeFileSync(join(ws.dir, 'flag'), '');
      writeConfig(ws, readFileSync(ws.config, 'utf8').replace('sleep 301', 'steward-no-such-program'));
      const reload = await cli(ws, ['reload']);
      assert.equal(reload.code, 1, reload.stdout);
      assert.match(reload.stdout, /worker web failed to start: .*rolled back to its last good definition\n/, 'the retry is not among the changes undone');
      const after = await status(ws);
      const gate = after.workers.find((w) => w.name === 'gate');
      assert.deepEqual([gate?.state, gate?.generation, after.generation], ['ready', 1, 1]);
      assert.match(markedProcesses(ws.marker).find((p) => p.pid === gate?.pid)?.command ?? '', /sleep 300/);
    }));

  // web gets ready 300 ms after its start, so the whole burst arrives while the first reload runs
  // (a reload of a plain `sleep` takes a few ms, less than 50 requests take to arrive).
  const slowWeb = (seconds: number): string =>
    threeSleepers(seconds).replace(`command: sleep ${seconds}\n`, `command: sh -c 'sleep 0.3; echo up; exec sleep ${seconds}'\n    ready: { log: up }\n`);

  test('50 reload requests in a burst: at most two reloads run and the final state is the last config', () =>
    withWorkspace('reload-burst', threeSleepers(), async (ws) => {
      await up(ws);
      await waitForWorkersUp(ws);
      await withRpc(ws, async (connection) => {
        const outcomes: Promise<ReloadResult>[] = [];
        writeConfig(ws, slowWeb(310));
        for (let i = 0; i < 25; i += 1) outcomes.push(connection.sendRequest(ReloadRequest.type, { trigger: 'rpc' }));
        writeConfig(ws, slowWeb(320));
        for (let i = 0; i < 25; i += 1) outcomes.push(connection.sendRequest(ReloadRequest.type, { trigger: 'rpc' }));
        const results = await Promise.all(outcomes);
        assert.ok(results.every((result) => result.ok));
        assert.ok(new Set(results.map((r) => r.generation)).size <= 2, 'every request shares one of at most two outcomes');
        const after = await waitForWorkersUp(ws);
        assert.ok(after.reloads <= 2, `executed ${after.reloads} reloads`);
        const web = after.workers.find((w) => w.name === 'web');
        assert.match(markedProcesses(ws.marker).find((p) => p.pid === web?.pid)?.command ?? '', /sleep 320/);
        const sleepers = markedProcesses(ws.marker).filter((p) => p.command.startsWith('sleep'));
        assert.equal(sleepers.length, 3, `no stray process: ${sleepers.map((p) => p.command).join(', ')}`);
      });
    }));
});
