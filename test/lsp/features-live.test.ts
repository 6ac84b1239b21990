/**
 * The features that show the master's live state, over a real LSP
 * connection to a master running real workers: hover over keys (docs with
 * an example) and over worker names (pid, state, uptime, restarts, ports);
 * code lenses per worker (state, Restart, Logs) and above the file (what a
 * reload of the unsaved text would do), refreshed when the status changes.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { CodeLens, Hover, MarkupContent } from 'vscode-languageserver';
import { ErrorCodes, ReloadRequest, RestartWorkerRequest, StatusRequest, StopWorkerRequest, type StatusSnapshot } from '../../shared/protocol';
import { cleanup, freePort, makeWorkspace, up, waitForWorkersUp, type Workspace } from '../helpers/master';
import { waitUntil } from '../helpers/procs';
import { FeatureClient, positionOf } from './features-client';

const config = (port: number) =>
  ['version: 1', 'workers:', '  db:', '    command: sleep 300', `    ports: [${port}]`, '  api:', '    command: sleep 301', '    depends_on: [db]', '    restart: always', '  web:', '    command: sleep 302', '    replicas: 2', ''].join('\n');

const markdown = (hover: Hover | null) => (hover?.contents as MarkupContent | undefined)?.value;
const titles = (lenses: CodeLens[]) => lenses.map((lens) => [lens.range.start.line, lens.command?.title, lens.command?.command, ...(lens.command?.arguments ?? [])]);

describe('live state in hovers and code lenses', () => {
  let ws: Workspace;
  let client: FeatureClient;
  let text: string;
  let port: number;
  const status = () => client.connection.sendRequest(StatusRequest.type, {}) as Promise<StatusSnapshot>;
  const worker = (snapshot: StatusSnapshot, name: string, instance = 0) => snapshot.workers.find((w) => w.name === name && w.instance === instance)!;

  before(async () => {
    port = await freePort();
    text = config(port);
    ws = makeWorkspace('live', text);
    await up(ws);
    await waitForWorkersUp(ws);
    client = (await FeatureClient.start(ws)).client;
    await client.open(text);
  });

  after(async () => {
    client?.end();
    await cleanup(ws);
  });

  test("hover over a key shows its documentation and an example from the key table", async () => {
    const hover = await client.hover(positionOf(text, 'restart', 2));
    assert.equal(
      markdown(hover),
      '**`restart`** · one of `always`, `on-failure`, `never`\n\nWhen to restart the worker after it exits: `always`, `on-failure` (non-zero exit or signal), or `never`. Default `on-failure`.\n\n```yaml\nrestart: always\n```',
    );
    assert.deepEqual(hover?.range, { start: { line: 8, character: 4 }, end: { line: 8, character: 11 } });
    assert.equal(markdown(await client.hover(positionOf(text, 'version'))), '**`version`** · `1` · required\n\nThe version of the steward.yaml format. Must be `1`.\n\n```yaml\nversion: 1\n```');
    assert.equal(await client.hover(positionOf(text, 'sleep 300', 2)), null);
  });

  test("hover over a worker's key or a depends_on use shows its live state", async () => {
    const db = worker(await status(), 'db');
    const expected = new RegExp(`^\\*\\*worker \`db\`\\*\\*\\n\\n${db.state} · pid ${db.pid} · up \\d+s · 0 restarts · port ${port}$`);
    assert.match(markdown(await client.hover(positionOf(text, 'db:', 1)))!, expected);
    const onUse = await client.hover(positionOf(text, '[db]', 2));
    assert.match(markdown(onUse)!, expected);
    assert.deepEqual(onUse?.range, { start: { line: 7, character: 17 }, end: { line: 7, character: 19 } });
  });

  test('hover over a worker with replicas lists its instances; an unsaved new worker is not running', async () => {
    const snapshot = await status();
    const [first, second] = [worker(snapshot, 'web', 0), worker(snapshot, 'web', 1)];
    const web = markdown(await client.hover(positionOf(text, 'web:', 1)))!;
    assert.match(web, new RegExp(`^\\*\\*worker \`web\`\\*\\*\\n\\n- instance 0: ${first.state} · pid ${first.pid} · up \\d+s · 0 restarts\\n- instance 1: ${second.state} · pid ${second.pid} · up \\d+s · 0 restarts$`));
    const added = `${text}  extra:\n    command: sleep 303\n`;
    await client.change(added);
    assert.equal(markdown(await client.hover(positionOf(added, 'extra', 1))), '**worker `extra`**\n\nnot running: not in the running generation (a reload starts it)');
    await client.change(text);
  });

  test('code lenses: the saved text changes nothing; each worker shows its state, Restart and Logs', async () => {
    const snapshot = await status();
    const [db, api, web0, web1] = [worker(snapshot, 'db'), worker(snapshot, 'api'), worker(snapshot, 'web', 0), worker(snapshot, 'web', 1)];
    assert.deepEqual(titles(await client.codeLenses()), [
      [0, 'no changes to apply', ''],
      [2, `${db.state} · pid ${db.pid} · 0 restarts · port ${port}`, ''],
      [2, 'Restart', 'steward.restartWorker', 'db'],
      [2, 'Logs', 'steward.showWorkerLogs', 'db'],
      [5, `${api.state} · pid ${api.pid} · 0 restarts`, ''],
      [5, 'Restart', 'steward.restartWorker', 'api'],
      [5, 'Logs', 'steward.showWorkerLogs', 'api'],
      [9, `2 instances: ${web0.state}, ${web1.state} · 0 restarts`, ''],
      [9, 'Restart', 'steward.restartWorker', 'web'],
      [9, 'Logs', 'steward.showWorkerLogs', 'web'],
    ]);
  });

  test('the file lens tells what a reload of the unsaved text would do, or why it would fail', async () => {
    const edited = text.replace('sleep 301', 'sleep 311').replace(/  web:\n    command: sleep 302\n    replicas: 2\n/, '  extra:\n    command: sleep 303\n');
    await client.change(edited);
    const lenses = await client.codeLenses();
    assert.deepEqual(titles(lenses)[0], [0, 'reload will restart api, start extra, stop web, keep 1 unchanged', 'steward.reload', { version: client.documentVersion }]);
    assert.deepEqual(titles(lenses).slice(-1), [[9, 'not running: not in the running generation (a reload starts it)', '']]);
    await client.change(text.replace('replicas: 2', 'replicas: 3'));
    assert.deepEqual(titles(await client.codeLenses())[0], [0, 'reload will start web, keep 2 unchanged', 'steward.reload', { version: client.documentVersion }]);
    await client.change(text.replace('restart: always', 'restart: sometimes').replace('command: sleep 302', 'comand: sleep 302')); // bad value, unknown key, missing command
    assert.deepEqual(titles(await client.codeLenses())[0], [0, 'config has 3 errors: reload would enter wait mode', 'workbench.actions.view.problems']);
    await client.change(text);
  });

  test('a status change (a restart) asks the client to refresh its lenses, which then show the new pid', async () => {
    const before = client.lensRefreshes;
    const oldPid = worker(await status(), 'api').pid;
    await client.connection.sendRequest(RestartWorkerRequest.type, { name: 'api' });
    await waitUntil(() => client.lensRefreshes > before, { message: 'a workspace/codeLens/refresh request' });
    const api = worker(await status(), 'api');
    assert.notEqual(api.pid, oldPid);
    assert.deepEqual(titles(await client.codeLenses())[4], [5, `${api.state} · pid ${api.pid} · ${api.restarts} restart${api.restarts === 1 ? '' : 's'}`, '']);
  });

  test('a client in an untrusted workspace sees the live state but gets no Restart or reload lens, and its control requests are refused (QA)', async () => {
    const untrusted = (await FeatureClient.start(ws, { untrusted: true })).client;
    try {
      const edited = text.replace('sleep 301', 'sleep 311');
      await untrusted.open(edited);
      const before = await status();
      const api = worker(before, 'api');
      const lenses = titles(await untrusted.codeLenses());
      assert.deepEqual(lenses[0], [0, 'reload will restart api, keep 2 unchanged (not from this untrusted window)', '']);
      assert.deepEqual(lenses.filter(([line]) => line === 5), [[5, `${api.state} · pid ${api.pid} · ${api.restarts} restart${api.restarts === 1 ? '' : 's'}`, ''], [5, 'Logs', 'steward.showWorkerLogs', 'api']]);
      for (const [type, params] of [[ReloadRequest.type, { trigger: 'save' }], [RestartWorkerRequest.type, { name: 'api' }], [StopWorkerRequest.type, { name: 'db' }]] as const) {
        await assert.rejects(untrusted.connection.sendRequest(type as typeof ReloadRequest.type, params as never), (error: { code?: number; message?: string }) => error.code === ErrorCodes.NotAllowed && /untrusted workspace/.test(error.message ?? ''));
      }
      assert.equal((await untrusted.connection.sendRequest(ReloadRequest.type, { dryRun: true })).plan?.restart.join(), '', 'a dry run reads the saved file and is allowed');
      const after = await status();
      assert.deepEqual([after.reloads, worker(after, 'api').pid, worker(after, 'db').pid], [before.reloads, api.pid, worker(before, 'db').pid]);
    } finally {
      untrusted.end();
    }
  });
});

describe('code lenses of an untrusted workspace', () => {
  test('the file lens says the valid config runs no worker; workers show as not started, without actions', async () => {
    const text = 'version: 1\nworkers:\n  api:\n    command: sleep 300\n';
    const ws = makeWorkspace('live-untrusted', text);
    let client: FeatureClient | undefined;
    try {
      await up(ws, ['--untrusted']);
      client = (await FeatureClient.start(ws)).client;
      await client.open(text);
      assert.deepEqual(titles(await client.codeLenses()), [
        [0, 'config is valid; an untrusted workspace runs no worker', ''],
        [2, 'not started: the workspace is not trusted', ''],
      ]);
    } finally {
      client?.end();
      await cleanup(ws);
    }
  });
});
