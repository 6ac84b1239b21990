/**
 * How a master lives and ends: one per workspace (two at once: one wins),
 * editor mode (stays up with an invalid config, stops when idle), signals
 * (SIGHUP reloads unless it is a closed terminal's, SIGTERM stops
 * gracefully, a second Ctrl-C kills at once), the foreground master exiting with the last worker's status,
 * `--watch`, and usage errors.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { BUNDLE, cli, status, up, waitForWorkersUp, withWorkspace, writeConfig, type Workspace } from '../helpers/master';
import { markedProcesses, waitUntil } from '../helpers/procs';

const SLEEPER = 'version: 1\nworkers:\n  a:\n    command: sleep 300\n';

/** A foreground `steward up` whose exit we can await. */
function foreground(ws: Workspace, args: string[] = []) {
  const child = spawn(process.execPath, [BUNDLE, 'up', ...args], { cwd: ws.dir, env: ws.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number>((resolve) => child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1))));
  return { child, exited, output: () => output };
}

describe('master lifecycle', () => {
  test('two masters started at once: exactly one wins, the other says so', () =>
    withWorkspace('two-masters', SLEEPER, async (ws) => {
      const results = await Promise.all([cli(ws, ['up', '-d']), cli(ws, ['up', '-d'])]);
      assert.deepEqual(results.map((r) => r.code).sort(), [0, 1]);
      const loser = results.find((r) => r.code === 1)!;
      assert.match(loser.stderr, /already running/);
      await waitForWorkersUp(ws);
      assert.equal(markedProcesses(ws.marker).filter((p) => p.command.includes('up --foreground')).length, 1);
      assert.equal(statSync(ws.paths.socket).mode & 0o777, 0o600, 'the socket is private');
      assert.equal(statSync(ws.paths.dir).mode & 0o777, 0o700, 'in a private directory');
    }));

  test('an editor master stays up with an invalid config, showing the errors, and starts the workers once it is fixed', () =>
    withWorkspace('editor-invalid', SLEEPER.replace('sleep 300', 'sleep 300\n    replicas: many'), async (ws) => {
      await up(ws, ['--editor', '--keep-alive']);
      const waiting = await status(ws);
      assert.equal(waiting.state, 'wait');
      assert.equal(waiting.workers.length, 0);
      assert.equal(waiting.lastReload?.error?.line, 5);
      writeConfig(ws, SLEEPER);
      assert.equal((await cli(ws, ['reload'])).code, 0);
      const running = await waitForWorkersUp(ws);
      assert.equal(running.state, 'running');
    }));

  test('an editor master stops with its workers once no client has been connected for the idle timeout', () =>
    withWorkspace('editor-idle', SLEEPER, async (ws) => {
      await up(ws, ['--editor', '--idle-timeout', '700ms']);
      await waitUntil(() => markedProcesses(ws.marker).length === 0, { timeoutMs: 5_000, message: 'master and workers gone' });
      assert.equal((await cli(ws, ['status'])).code, 2);
    }));

  test('up -d finding an editor master keeps it alive: it no longer stops when idle', () =>
    withWorkspace('editor-adopted', SLEEPER, async (ws) => {
      await up(ws, ['--editor', '--idle-timeout', '1500ms']);
      const again = await cli(ws, ['up', '-d']);
      assert.equal(again.code, 1, 'a master already runs');
      assert.match(again.stderr, /already running .*\(pid \d+\); it was started by an editor and now stays up until `steward down`/);
      await new Promise((resolve) => setTimeout(resolve, 2_500));
      const kept = await status(ws);
      assert.equal(kept.state, 'running', 'still up after the idle timeout');
      assert.ok(markedProcesses(ws.marker).some((p) => p.command.includes('sleep 300')), 'its worker too');
    }));

  test('an untrusted master runs no worker command but lists the valid config\'s workers as not started, and keeps that list through an invalid edit', () =>
    withWorkspace('untrusted', SLEEPER.replace('sleep 300', 'sleep 300\n    replicas: 2'), async (ws) => {
      await up(ws, ['--untrusted']);
      const listed = await status(ws);
      assert.equal(listed.workersEnabled, false);
      const reason = 'workspace not trusted: no worker command runs';
      assert.deepEqual(listed.workers.map((w) => [w.name, w.instance, w.state, w.pid, w.reason, w.line]), [['a', 0, 'exited', null, reason, 3], ['a', 1, 'exited', null, reason, 3]]);
      assert.deepEqual(markedProcesses(ws.marker).filter((p) => p.command.includes('sleep 300')), [], 'no worker command runs');
      for (const command of ['start', 'restart', 'stop']) {
        const refused = await cli(ws, [command, 'a']);
        assert.equal(refused.code, 1, command);
        assert.match(refused.stderr, /untrusted workspace \(VS Code Restricted Mode\), so it runs no worker command/, command);
      }
      const checked = await cli(ws, ['reload']);
      assert.equal(checked.code, 1, 'a valid config is not applied either');
      assert.match(checked.stdout, /^not applied: this master serves an untrusted workspace/);
      assert.deepEqual(markedProcesses(ws.marker).filter((p) => p.command.includes('sleep 300')), [], 'still none');
      writeConfig(ws, SLEEPER.replace('sleep 300', 'sleep 300\n    replicas: many'));
      assert.equal((await cli(ws, ['reload'])).code, 1);
      const waiting = await status(ws);
      assert.equal(waiting.state, 'wait');
      assert.deepEqual(waiting.workers.map((w) => w.instance), [0, 1], 'the last valid config is still listed');
    }));

  test('SIGHUP reloads (trigger signal); SIGTERM stops every worker and the master', () =>
    withWorkspace('signals', SLEEPER, async (ws) => {
      await up(ws);
      const first = await waitForWorkersUp(ws);
      writeConfig(ws, SLEEPER.replace('sleep 300', 'sleep 301'));
      process.kill(first.pid, 'SIGHUP');
      await waitUntil(async () => (await status(ws)).lastReload?.trigger === 'signal', { message: 'a signal reload' });
      assert.equal((await status(ws)).generation, 2);
      process.kill(first.pid, 'SIGTERM');
      await waitUntil(() => markedProcesses(ws.marker).length === 0, { timeoutMs: 5_000, message: 'everything stopped' });
    }));

  // [first to end, last to end, the master's exit status]: the last one's, unless it ended cleanly and another did not.
  const endings: [number, number, number][] = [
    [0, 4, 4],
    [3, 0, 3],
  ];
  for (const [first, last, expected] of endings) {
    test(`a foreground master exits with status ${expected} once every worker has ended (exits ${first}, then ${last})`, () =>
      withWorkspace(`all-ended-${first}-${last}`, `version: 1
workers:
  first:
    command: sh -c 'sleep 0.2; exit ${first}'
    restart: never
  last:
    command: sh -c 'sleep 0.8; exit ${last}'
    restart: never
`, async (ws) => {
        const master = foreground(ws);
        assert.equal(await master.exited, expected, master.output());
        assert.match(master.output(), new RegExp(`every worker has ended; exiting with status ${expected}`));
      }));
  }

  test('a master started with up -d stays up when every worker has ended, with their exit codes, until steward down', () =>
    withWorkspace('detached-all-ended', "version: 1\nworkers:\n  a:\n    command: sh -c 'sleep 0.2; exit 3'\n    restart: never\n", async (ws) => {
      await up(ws);
      await waitUntil(async () => (await status(ws)).workers[0]?.state === 'exited', { message: 'a exited' });
      await new Promise((resolve) => setTimeout(resolve, 300));
      const after = await status(ws);
      assert.deepEqual([after.state, after.workers[0].exitCode], ['running', 3], 'the master is still there to say how its worker ended');
      assert.equal((await cli(ws, ['down'])).code, 0);
    }));

  test('restarting or stopping the only worker still running does not end a foreground master: those stops are requested ones', () =>
    withWorkspace('restart-last', "version: 1\nworkers:\n  migrate:\n    command: 'true'\n    restart: never\n  api:\n    command: sleep 300\n    depends_on: [migrate]\n", async (ws) => {
      const master = foreground(ws);
      await waitUntil(async () => (await cli(ws, ['status'])).code === 0 && (await status(ws)).workers.find((w) => w.name === 'api')?.state === 'running', { message: 'api running' });
      const before = (await status(ws)).workers.find((w) => w.name === 'api')?.pid;
      const restart = await cli(ws, ['restart', 'api']);
      assert.equal(restart.code, 0, restart.stdout + restart.stderr);
      const after = await status(ws);
      const api = after.workers.find((w) => w.name === 'api');
      assert.equal(api?.state, 'running');
      assert.notEqual(api?.pid, before);
      assert.doesNotMatch(master.output(), /every worker has ended/);
      // Stopping it by hand, while migrate has ended by itself: the master waits for start or down.
      assert.equal((await cli(ws, ['stop', 'api'])).code, 0);
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.deepEqual((await status(ws)).workers.map((w) => w.state), ['exited', 'exited']);
      assert.doesNotMatch(master.output(), /every worker has ended/);
      master.child.kill('SIGTERM');
      assert.equal(await master.exited, 0);
    }));

  test('a foreground master whose every worker failed at the first start waits for a good reload instead of exiting', () =>
    withWorkspace('all-failed-wait', "version: 1\nworkers:\n  a:\n    command: sh -c 'exit 3'\n    restart: never\n", async (ws) => {
      const master = foreground(ws);
      await waitUntil(async () => (await cli(ws, ['status'])).code === 0 && (await status(ws)).workers[0]?.state === 'failed', { message: 'a failed' });
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal((await status(ws)).state, 'wait', master.output());
      writeConfig(ws, SLEEPER);
      assert.equal((await cli(ws, ['reload'])).code, 0);
      assert.equal((await waitForWorkersUp(ws)).state, 'running');
      master.child.kill('SIGTERM');
      assert.equal(await master.exited, 0);
    }));

  test('a foreground master whose output pipe closes (steward up | head) goes on supervising, silently', () =>
    withWorkspace('up-closed-pipe', "version: 1\nworkers:\n  chatty:\n    command: sh -c 'while true; do echo tick; sleep 0.02; done'\n", async (ws) => {
      const master = foreground(ws);
      const up = await waitForWorkersUp(ws);
      master.child.stdout.destroy();
      await new Promise((resolve) => setTimeout(resolve, 500));
      const still = await status(ws);
      assert.deepEqual([still.pid, still.state, still.workers[0]?.pid], [up.pid, 'running', up.workers[0]?.pid]);
      assert.doesNotMatch(master.output(), /internal error/);
      master.child.kill('SIGTERM');
      assert.equal(await master.exited, 0);
    }));

  test('Ctrl-C stops gracefully; a second Ctrl-C kills at once', () =>
    withWorkspace('ctrl-c', `version: 1
workers:
  stubborn:
    command: sh -c 'trap "" TERM; while true; do sleep 1; done'
    stop: { signal: SIGTERM, timeout: 20s }
`, async (ws) => {
      const master = foreground(ws);
      await waitForWorkersUp(ws);
      const started = Date.now();
      master.child.kill('SIGINT');
      await new Promise((resolve) => setTimeout(resolve, 300));
      master.child.kill('SIGINT');
      assert.equal(await master.exited, 130);
      assert.ok(Date.now() - started < 5_000, 'did not wait for the 20 s stop timeout');
      await waitUntil(() => markedProcesses(ws.marker).length === 0, { timeoutMs: 3_000, message: 'the stubborn worker killed' });
      assert.match(master.output(), /again: killing every worker now/);
    }));

  test('closing the terminal of a foreground master stops it and its workers; kill -HUP in that terminal still reloads', () =>
    withWorkspace('terminal-closed', SLEEPER, async (ws) => {
      // `script` runs the master on a pseudo-terminal; killing `script` closes it as a terminal window closing does.
      const terminal = spawn('script', ['-qfec', `${process.execPath} ${BUNDLE} up`, '/dev/null'], { cwd: ws.dir, env: ws.env, stdio: 'ignore' });
      try {
        const first = await waitForWorkersUp(ws);
        writeConfig(ws, SLEEPER.replace('sleep 300', 'sleep 301'));
        process.kill(first.pid, 'SIGHUP');
        await waitUntil(async () => (await status(ws)).generation === 2, { message: 'kill -HUP reloads' });
        terminal.kill('SIGKILL');
        await waitUntil(() => markedProcesses(ws.marker).length === 0, { timeoutMs: 5_000, message: 'the master and its worker gone with the terminal' });
        assert.equal((await cli(ws, ['status'])).code, 2);
      } finally {
        terminal.kill('SIGKILL');
      }
    }));

  test('up --watch reloads when the config file changes', () =>
    withWorkspace('watch', SLEEPER, async (ws) => {
      await up(ws, ['--watch']);
      await waitForWorkersUp(ws);
      writeConfig(ws, SLEEPER.replace('sleep 300', 'sleep 303'));
      await waitUntil(async () => (await status(ws)).lastReload?.trigger === 'save', { timeoutMs: 5_000, message: 'a save reload' });
      assert.equal((await status(ws)).state, 'running');
    }));

  test('up --watch reloads when an env file changes, beside the config or in another directory', () =>
    withWorkspace('watch-env', 'version: 1\nworkers:\n  api:\n    command: sleep 300\n    env_file: [.env, cfg/nested.env]\n', async (ws) => {
      writeFileSync(join(ws.dir, '.env'), 'A=1\n');
      mkdirSync(join(ws.dir, 'cfg'));
      writeFileSync(join(ws.dir, 'cfg', 'nested.env'), 'B=1\n');
      await up(ws, ['--watch']);
      let pid = (await waitForWorkersUp(ws)).workers[0].pid;
      for (const [file, text, generation] of [['.env', 'A=2\n', 2], ['cfg/nested.env', 'B=2\n', 3]] as const) {
        writeFileSync(join(ws.dir, file), text);
        await waitUntil(async () => (await status(ws)).generation === generation, { timeoutMs: 5_000, message: `a save reload after ${file} changed` });
        const after = await waitForWorkersUp(ws);
        assert.deepEqual([after.state, after.lastReload?.trigger], ['running', 'save']);
        assert.notEqual(after.workers[0].pid, pid, `api restarted with the new ${file}`);
        pid = after.workers[0].pid;
      }
      // An env file that does not exist yet fails the reload; creating it is the fix, and reloads.
      writeConfig(ws, readFileSync(ws.config, 'utf8').replace('cfg/nested.env]', 'cfg/nested.env, cfg/later.env]'));
      await waitUntil(async () => (await status(ws)).state === 'wait', { timeoutMs: 5_000, message: 'wait mode for the missing cfg/later.env' });
      writeFileSync(join(ws.dir, 'cfg', 'later.env'), 'C=1\n');
      await waitUntil(async () => (await status(ws)).state === 'running', { timeoutMs: 5_000, message: 'a reload once cfg/later.env exists' });
    }));

  test('usage errors exit 2 with a clear message; commands without a master exit 2', () =>
    withWorkspace('usage', SLEEPER, async (ws) => {
      const cases: [string[], RegExp][] = [
        [['reload', '--bogus'], /^steward: unknown option '--bogus'\n/],
        [['status', '--config'], /argument missing/],
        [['start'], /missing argument/],
        [['logs', '-n', 'many'], /-n wants a number/],
        [['status', 'extra'], /unexpected argument 'extra'/],
        [['frobnicate'], /unknown command 'frobnicate'/],
        [['up', '--idle-timeout', 'soon'], /--idle-timeout wants a duration/],
      ];
      for (const [args, message] of cases) {
        const result = await cli(ws, args);
        assert.equal(result.code, 2, args.join(' '));
        assert.match(result.stderr, message);
      }
      for (const command of [['status'], ['reload'], ['logs'], ['down'], ['stop', 'a']]) {
        const result = await cli(ws, command);
        assert.equal(result.code, 2, command.join(' '));
        assert.match(result.stderr, /no master is running/);
      }
    }));
});
