/**
 * Must-show 6, 8 and 9 of issue 4, through the master: a crash loop backs
 * off with growing delays then gives up without touching the others; the
 * last output of a worker (with and without a final newline) is in
 * `steward logs`; a declared port held by an unrelated process is refused
 * with an error naming that process.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ResponseError } from 'vscode-jsonrpc/node';
import { ErrorCodes, StartWorkerRequest } from '../../shared/protocol';
import { BUNDLE, cleanup, cli, freePort, makeWorkspace, status, up, withRpc, withWorkspace, writeConfig, type Workspace } from '../helpers/master';
import { killMarked, MARKER_VAR, waitUntil } from '../helpers/procs';

async function waitForWorkerState(ws: Workspace, name: string, state: string, timeoutMs = 10_000) {
  await waitUntil(async () => (await status(ws)).workers.find((w) => w.name === name)?.state === state, {
    timeoutMs,
    intervalMs: 100,
    message: `${name} ${state}`,
  });
  return status(ws);
}

function toMs(text: string): number {
  return text.endsWith('ms') ? Number(text.slice(0, -2)) : Number(text.slice(0, -1)) * 1_000;
}

describe('workers under the master', () => {
  test('a crash loop backs off with growing delays, then fails; the other worker is unaffected', async () => {
    const ws = makeWorkspace('crashloop', `version: 1
workers:
  crashy:
    command: sh -c 'sleep 0.2; echo boom; exit 3'
    restart: on-failure
  steady:
    command: sleep 300
`);
    try {
      await up(ws);
      const steadyPid = (await status(ws)).workers.find((w) => w.name === 'steady')?.pid;
      const after = await waitForWorkerState(ws, 'crashy', 'failed', 15_000);
      const crashy = after.workers.find((w) => w.name === 'crashy')!;
      assert.match(crashy.reason ?? '', /crashed \d+ times in a row/);
      assert.equal(crashy.exitCode, 3);
      const logs = await cli(ws, ['logs', 'crashy']);
      const delays = [...logs.stdout.matchAll(/restarting in (\S+)/g)].map((match) => toMs(match[1]));
      assert.ok(delays.length >= 3, `several restarts: ${delays.join(', ')}`);
      assert.ok(delays.every((delay, i) => i === 0 || delay > delays[i - 1]), `growing delays: ${delays.join(', ')}`);
      const steady = after.workers.find((w) => w.name === 'steady')!;
      assert.equal(steady.state, 'running');
      assert.equal(steady.pid, steadyPid);
      assert.equal(after.state, 'running', 'a crash loop is not a reload failure');
    } finally {
      await cleanup(ws);
    }
  });

  test('output printed just before a worker exits is in steward logs, with and without a trailing newline', async () => {
    const ws = makeWorkspace('lastwords', `version: 1
workers:
  newline:
    command: sh -c 'echo "early line"; echo "last line with newline"'
    restart: never
  bare:
    command: sh -c 'echo "early"; printf "last words without newline"'
    restart: never
  keeper:
    command: sleep 300
`);
    try {
      await up(ws);
      await waitForWorkerState(ws, 'newline', 'exited');
      await waitForWorkerState(ws, 'bare', 'exited');
      const newline = await cli(ws, ['logs', 'newline']);
      assert.match(newline.stdout, /^newline \| last line with newline$/m);
      const bare = await cli(ws, ['logs', 'bare']);
      assert.match(bare.stdout, /^bare +\| last words without newline$/m);
      const all = await cli(ws, ['logs']);
      assert.match(all.stdout, /last words without newline/);
      assert.match(all.stdout, /last line with newline/);
    } finally {
      await cleanup(ws);
    }
  });

  test('steward logs -n beyond what one answer holds prints all there is, and stops quietly at a closed pipe', async () => {
    const ws = makeWorkspace('logs-pipe', `version: 1
workers:
  chatty:
    command: sh -c 'seq 1 150000; exec sleep 300'
`);
    try {
      await up(ws);
      await waitUntil(async () => (await cli(ws, ['logs', '-n', '1'])).stdout.includes('| 150000'), { timeoutMs: 10_000, message: 'every line logged' });
      const everything = await cli(ws, ['logs', '-n', '1000000']);
      assert.equal(everything.code, 0, everything.stderr);
      const lines = everything.stdout.trimEnd().split('\n');
      assert.deepEqual([lines.length, lines.at(-1)], [100_000, 'chatty | 150000']);
      const piped = spawnSync('sh', ['-c', `"${process.execPath}" "${BUNDLE}" logs -n 1000000 | head -1`], { cwd: ws.dir, env: ws.env, encoding: 'utf8' });
      assert.deepEqual([piped.stdout, piped.stderr], ['chatty | 50001\n', '']);
    } finally {
      await cleanup(ws);
    }
  });

  test('the last words of a worker replaced by a reload stay in steward logs', async () => {
    const yaml = (version: number) => `version: 1
workers:
  polite:
    command: sh -c 'trap "echo goodbye from v${version}; exit 0" TERM; while true; do sleep 0.1; done'
`;
    const ws = makeWorkspace('replaced-logs', yaml(1));
    try {
      await up(ws);
      await waitForWorkerState(ws, 'polite', 'running');
      writeConfig(ws, yaml(2));
      assert.equal((await cli(ws, ['reload'])).code, 0);
      const logs = await cli(ws, ['logs', 'polite']);
      assert.match(logs.stdout, /goodbye from v1/);
    } finally {
      await cleanup(ws);
    }
  });

  test('a declared port held by an unrelated process: the error names its pid', async () => {
    const port = await freePort();
    const ws = makeWorkspace('porttaken', `version: 1
workers:
  api:
    command: sleep 300
    ports: [${port}]
  keeper:
    command: sleep 300
`);
    const holder = spawn(process.execPath, ['-e', `require('net').createServer().listen(${port}, '127.0.0.1', () => console.log('listening'))`], {
      env: { ...process.env, [MARKER_VAR]: `${ws.marker}-holder` },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      await new Promise((resolve) => holder.stdout.once('data', resolve));
      await up(ws);
      const after = await waitForWorkerState(ws, 'api', 'failed');
      const api = after.workers.find((w) => w.name === 'api')!;
      assert.match(api.reason ?? '', new RegExp(`port ${port} is already in use by pid ${holder.pid}\\b`));
      assert.equal(after.state, 'wait');
      assert.match(after.lastReload?.error?.message ?? '', new RegExp(`pid ${holder.pid}`));
      const { line, column, endLine, endColumn } = after.lastReload!.error!;
      assert.deepEqual([line, column, endLine, endColumn], [5, 13, 5, 13 + String(port).length], 'at the port in `ports: [N]`');
      const table = await cli(ws, ['status']);
      assert.match(table.stdout, new RegExp(`api .*failed.*pid ${holder.pid}`));
    } finally {
      holder.kill('SIGKILL');
      killMarked(`${ws.marker}-holder`);
      await cleanup(ws);
    }
  });

  test('steward start brings up the stopped dependencies first, does not run a finished one-shot again, and refuses with the reason when one cannot start', () =>
    withWorkspace('start-deps', `version: 1
workers:
  migrate:
    command: sh -c 'echo run >> migrations.txt'
    restart: never
  db:
    command: sh -c 'test -f db.ok && exec sleep 300'
    restart: never
  api:
    command: sleep 301
    depends_on:
      migrate: completed
      db: started
`, async (ws) => {
      writeFileSync(join(ws.dir, 'db.ok'), '');
      await up(ws);
      await waitForWorkerState(ws, 'api', 'running');
      for (const name of ['api', 'db']) assert.equal((await cli(ws, ['stop', name])).code, 0);

      const started = await cli(ws, ['start', 'api']);
      assert.equal(started.code, 0, started.stderr);
      assert.match(started.stdout, /^db\[0\]: running \(pid \d+\)\napi\[0\]: running \(pid \d+\)\n$/);
      const running = await status(ws);
      assert.deepEqual(running.workers.map((w) => [w.name, w.state]), [['migrate', 'exited'], ['db', 'running'], ['api', 'running']]);
      assert.equal(readFileSync(join(ws.dir, 'migrations.txt'), 'utf8'), 'run\n', 'the migration that had exited 0 did not run again');

      // Already up: left as it is, its stopped dependency too.
      await cli(ws, ['stop', 'db']);
      const noop = await cli(ws, ['start', 'api']);
      assert.deepEqual([noop.code, noop.stdout], [0, `api[0]: running (pid ${running.workers[2].pid})\n`]);
      assert.equal((await status(ws)).workers[1].state, 'exited');

      await cli(ws, ['stop', 'api']);
      rmSync(join(ws.dir, 'db.ok'));
      const refused = await cli(ws, ['start', 'api']);
      assert.equal(refused.code, 1);
      assert.equal(refused.stderr, 'steward: api was not started: dependency db failed to start: exited with code 1 during start-up\n');
      const after = await status(ws);
      assert.deepEqual(after.workers.map((w) => [w.name, w.state, w.pid]), [['migrate', 'exited', null], ['db', 'failed', null], ['api', 'exited', null]]);
      // Over the protocol: the NotStarted code, and the worker whose own start failed (the editor shows its log).
      const answer = await withRpc(ws, (connection) => connection.sendRequest(StartWorkerRequest.type, { name: 'api' }).then(() => undefined, (error: unknown) => error));
      assert.ok(answer instanceof ResponseError);
      assert.deepEqual([answer.code, answer.message, answer.data], [ErrorCodes.NotStarted, 'api was not started: dependency db failed to start: exited with code 1 during start-up', { worker: 'api', failed: 'db' }]);

      // The master's answer, whatever words it quotes, is not a lost connection (exit 2).
      const unknown = await cli(ws, ['start', 'closed']);
      assert.deepEqual([unknown.code, unknown.stderr], [1, "steward: unknown worker 'closed'\n"]);
      // A typo, and PM2's `all`, get a word of help.
      assert.equal((await cli(ws, ['restart', 'apj'])).stderr, "steward: unknown worker 'apj' (did you mean 'api'?)\n");
      assert.equal((await cli(ws, ['stop', 'all'])).stderr, "steward: unknown worker 'all': every worker at once is `steward reload --all` (restart) or `steward down` (stop)\n");
      assert.equal((await cli(ws, ['logs', 'all'])).stderr, "steward: unknown worker 'all': every worker's lines are `steward logs` without a name\n");
      assert.equal((await cli(ws, ['logs', 'apu'])).stderr, "steward: unknown worker 'apu' (did you mean 'api'?)\n");
      assert.equal((await cli(ws, ['stop', 'api', '--instance', '3'])).stderr, "steward: unknown worker 'api[3]' (api has 1 instance, numbered from 0)\n");
    }));
});
