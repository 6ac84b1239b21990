/**
 * The demo workspace (examples/demo) really works: a copy with free ports
 * starts api (HTTP probe), then web (after api is ready, by log line),
 * flaky and ticker; a broken reload keeps them all running.
 */
import assert from 'node:assert/strict';
import { cpSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { cli, freePort, pids, status, up, waitForWorkersUp, withWorkspace, writeConfig } from '../helpers/master';

const DEMO = resolve(__dirname, '../../examples/demo');

test('the demo starts in dependency order, answers over HTTP, and survives a broken reload in wait mode', async () => {
  const port = String(await freePort());
  const yaml = readFileSync(join(DEMO, 'steward.yaml'), 'utf8').replaceAll('4701', port).replace('CRASH_CHANCE: "0.3"', 'CRASH_CHANCE: "0"');
  await withWorkspace('demo', yaml, async (ws) => {
    for (const file of ['api.js', 'web.js', 'flaky.js']) cpSync(join(DEMO, file), join(ws.dir, file));
    await up(ws);
    const running = await waitForWorkersUp(ws);
    assert.deepEqual(running.workers.map((w) => [w.name, w.state]), [
      ['api', 'ready'],
      ['web', 'ready'],
      ['flaky', 'running'],
      ['ticker', 'running'],
    ]);
    const body = (await (await fetch(`http://127.0.0.1:${port}/`)).json()) as { pid: number };
    assert.equal(body.pid, pids(running).api);
    const logs = await cli(ws, ['logs', 'web']);
    assert.match(logs.stdout, /web: api says/);

    writeConfig(ws, yaml.replace('restart: on-failure', 'restart: sometimes'));
    assert.equal((await cli(ws, ['reload'])).code, 1);
    const waiting = await status(ws);
    assert.equal(waiting.state, 'wait');
    assert.deepEqual(pids(waiting), pids(running));
    assert.equal((await fetch(`http://127.0.0.1:${port}/health`)).status, 200);
  });
});
