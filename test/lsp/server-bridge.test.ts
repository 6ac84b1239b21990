/**
 * `steward lsp`: the language server over stdio for any LSP editor, bridged
 * to the workspace's master — starting one in editor mode when none runs,
 * so even a broken config gets its diagnostics.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { test } from 'node:test';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import { BUNDLE, cleanup, makeWorkspace, status } from '../helpers/master';
import { waitUntil } from '../helpers/procs';

test('steward lsp starts an editor-mode master and serves diagnostics over stdio; closing stdin ends the bridge', async () => {
  const ws = makeWorkspace('lsp-bridge', 'version: 1\nworkers:\n  api:\n    command: sleep 300\n    restart: sometimes\n');
  const bridge = spawn(process.execPath, [BUNDLE, 'lsp', '--stdio'], { cwd: ws.dir, env: ws.env, stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise<number | null>((resolve) => bridge.once('exit', (code) => resolve(code)));
  const connection = createMessageConnection(new StreamMessageReader(bridge.stdout), new StreamMessageWriter(bridge.stdin));
  const published: { uri: string; diagnostics: { message: string; range: { start: { line: number } } }[] }[] = [];
  connection.onNotification('textDocument/publishDiagnostics', (params: (typeof published)[number]) => {
    published.push(params);
  });
  connection.listen();
  try {
    const result = (await connection.sendRequest('initialize', { processId: process.pid, rootUri: null, capabilities: {} })) as {
      serverInfo?: { name: string };
    };
    assert.equal(result.serverInfo?.name, 'steward');
    await connection.sendNotification('initialized', {});
    await waitUntil(() => published.some((p) => p.diagnostics.length > 0), { message: 'diagnostics of the broken config' });
    const diagnostics = published.find((p) => p.diagnostics.length > 0)!;
    assert.equal(diagnostics.uri, pathToFileURL(ws.config).href);
    assert.equal(diagnostics.diagnostics[0].range.start.line, 4);
    assert.match(diagnostics.diagnostics[0].message, /restart/);
    const master = await status(ws);
    assert.equal(master.state, 'wait', 'the editor-mode master stays up with the invalid config');
    connection.dispose();
    bridge.stdin.end();
    assert.equal(await exited, 0);
  } finally {
    bridge.kill();
    await cleanup(ws);
  }
});

test('three steward lsp started at once with no master: one master starts, and every bridge is served by it', async () => {
  const ws = makeWorkspace('lsp-race', 'version: 1\nworkers:\n  api:\n    command: sleep 300\n');
  const bridges = [0, 1, 2].map(() => spawn(process.execPath, [BUNDLE, 'lsp'], { cwd: ws.dir, env: ws.env, stdio: ['pipe', 'pipe', 'pipe'] }));
  try {
    const answers = await Promise.all(
      bridges.map(async (bridge) => {
        const connection = createMessageConnection(new StreamMessageReader(bridge.stdout), new StreamMessageWriter(bridge.stdin));
        connection.listen();
        const result = (await connection.sendRequest('initialize', { processId: process.pid, rootUri: null, capabilities: {} })) as { serverInfo?: { name: string } };
        connection.dispose();
        return result.serverInfo?.name;
      }),
    );
    assert.deepEqual(answers, ['steward', 'steward', 'steward']);
    assert.equal((await status(ws)).workers.length, 1, 'one master, its one worker');
  } finally {
    for (const bridge of bridges) bridge.kill();
    await cleanup(ws);
  }
});

test('steward lsp in a directory with no steward.yaml yet serves the one to be created: an unsaved buffer gets its diagnostics', async () => {
  const ws = makeWorkspace('lsp-new', '');
  rmSync(ws.config);
  const bridge = spawn(process.execPath, [BUNDLE, 'lsp'], { cwd: ws.dir, env: ws.env, stdio: ['pipe', 'pipe', 'pipe'] });
  const connection = createMessageConnection(new StreamMessageReader(bridge.stdout), new StreamMessageWriter(bridge.stdin));
  const uri = pathToFileURL(ws.config).href;
  const published: { uri: string; diagnostics: { message: string; range: { start: { line: number } } }[] }[] = [];
  connection.onNotification('textDocument/publishDiagnostics', (params: (typeof published)[number]) => {
    published.push(params);
  });
  connection.listen();
  try {
    await connection.sendRequest('initialize', { processId: process.pid, rootUri: pathToFileURL(ws.dir).href, capabilities: {} });
    await connection.sendNotification('initialized', {});
    const text = 'version: 1\nworkers:\n  api:\n    command: sleep 300\n    restart: sometimes\n';
    await connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'yaml', version: 1, text } });
    await waitUntil(() => published.some((p) => p.uri === uri && p.diagnostics.some((d) => /restart/.test(d.message))), { message: 'diagnostics of the unsaved buffer' });
    const restart = published.flatMap((p) => (p.uri === uri ? p.diagnostics : [])).find((d) => /restart/.test(d.message))!;
    assert.equal(restart.range.start.line, 4);
    assert.equal((await status(ws)).config, ws.config, 'the master serves ./steward.yaml of the directory');
    connection.dispose();
  } finally {
    bridge.kill();
    await cleanup(ws);
  }
});
