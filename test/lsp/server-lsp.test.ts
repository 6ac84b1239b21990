/**
 * The master as a language server for steward.yaml, over a real LSP
 * connection on its socket: diagnostics of open documents as typed, of the
 * file on disk after each load, a failed reload's reason at its range,
 * clearing once fixed, republishing on reconnect; and an LSP `exit` from
 * one client ends only that client's connection.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, test } from 'node:test';
import type { MessageConnection } from 'vscode-jsonrpc/node';
import { ReloadRequest, StatusChangedNotification, SubscribeRequest, type StatusSnapshot } from '../../shared/protocol';
import { cleanup, connectRpc, makeWorkspace, status, up, waitForWorkersUp, writeConfig, type Workspace } from '../helpers/master';
import { waitUntil } from '../helpers/procs';

interface Diagnostic {
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
  message: string;
  code?: string;
  severity?: number;
}

const VALID = 'version: 1\nworkers:\n  api:\n    command: sleep 300\n';

class LspClient {
  readonly diagnostics = new Map<string, Diagnostic[]>();
  private version = 1;

  private constructor(
    readonly connection: MessageConnection,
    private readonly dispose: () => void,
  ) {
    connection.onNotification('textDocument/publishDiagnostics', (params: { uri: string; diagnostics: Diagnostic[] }) => {
      this.diagnostics.set(params.uri, params.diagnostics);
    });
  }

  static async open(ws: Workspace): Promise<LspClient> {
    const { connection, socket } = await connectRpc(ws);
    const client = new LspClient(connection, () => {
      connection.dispose();
      socket.destroy();
    });
    return client;
  }

  async initialize(capabilities: object = {}): Promise<{ capabilities: { textDocumentSync?: unknown } }> {
    const result = await this.connection.sendRequest('initialize', { processId: 999_999_999, rootUri: null, capabilities });
    await this.connection.sendNotification('initialized', {});
    return result as { capabilities: { textDocumentSync?: unknown } };
  }

  open(uri: string, text: string): Promise<void> {
    return this.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'yaml', version: this.version, text } });
  }

  change(uri: string, text: string): Promise<void> {
    this.version += 1;
    return this.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version: this.version }, contentChanges: [{ text }] });
  }

  close(uri: string): Promise<void> {
    return this.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
  }

  async waitFor(uri: string, predicate: (diagnostics: Diagnostic[]) => boolean, what: string): Promise<Diagnostic[]> {
    await waitUntil(() => predicate(this.diagnostics.get(uri) ?? [{ message: 'none yet' } as Diagnostic]) && this.diagnostics.has(uri), { message: what });
    return this.diagnostics.get(uri)!;
  }

  end(): void {
    this.dispose();
  }

  /** Runs `body` with a fresh client, ended afterwards. */
  static async with(ws: Workspace, body: (client: LspClient) => Promise<void>): Promise<void> {
    const client = await LspClient.open(ws);
    try {
      await body(client);
    } finally {
      client.end();
    }
  }
}

describe('the master as a language server', () => {
  let ws: Workspace;
  let uri: string;

  before(async () => {
    ws = makeWorkspace('lsp', VALID);
    uri = pathToFileURL(ws.config).href;
    await up(ws);
    await waitForWorkersUp(ws);
  });

  after(() => cleanup(ws));

  /** Back to the valid config, reloaded: the master leaves wait mode. */
  async function reloadValid(client: LspClient): Promise<void> {
    writeConfig(ws, VALID);
    assert.equal((await client.connection.sendRequest(ReloadRequest.type, {})).ok, true);
  }

  test('initialize announces incremental sync; the file on disk gets its (empty) diagnostics', async () => {
    await LspClient.with(ws, async (client) => {
      const result = await client.initialize();
      assert.deepEqual(result.capabilities.textDocumentSync, 2);
      await client.waitFor(uri, (d) => d.length === 0, 'empty diagnostics for the valid config');
    });
  });

  test('an open document is checked as typed, with 0-based ranges, and cleared when fixed', async () => {
    await LspClient.with(ws, async (client) => {
      await client.initialize();
      await client.open(uri, VALID);
      await client.change(uri, VALID.replace('sleep 300', 'sleep 300\n    replicas: many'));
      const broken = await client.waitFor(uri, (d) => d.length > 0, 'a diagnostic for replicas');
      assert.equal(broken[0].range.start.line, 4);
      assert.match(broken[0].message, /replicas/);
      await client.change(uri, VALID);
      await client.waitFor(uri, (d) => d.length === 0, 'cleared');
      await client.close(uri);
    });
  });

  test("a failed reload's error is published at its range, republished to a new client, and cleared by a good reload", async () => {
    await LspClient.with(ws, async (client) => {
      await client.initialize();
      await client.waitFor(uri, (d) => d.length === 0, 'initially clean');
      writeConfig(ws, VALID.replace('sleep 300', 'sleep 300\n    restart: sometimes'));
      const result = await client.connection.sendRequest(ReloadRequest.type, { trigger: 'rpc' });
      assert.equal(result.ok, false);
      const published = await client.waitFor(uri, (d) => d.length > 0, 'the reload error');
      assert.equal(published[0].range.start.line, 4);

      const late = await LspClient.open(ws);
      await late.initialize();
      const republished = await late.waitFor(uri, (d) => d.length > 0, 'republished on connect');
      assert.deepEqual(republished, published);
      late.end();

      await reloadValid(client);
      await client.waitFor(uri, (d) => d.length === 0, 'cleared after the good reload');
    });
  });

  test('an open document naming a missing env file is checked again after a reload, once the file exists', async () => {
    await LspClient.with(ws, async (client) => {
      await client.initialize();
      const text = VALID.replace('sleep 300', 'sleep 300\n    env_file: dev.env');
      await client.open(uri, text);
      const [missing] = await client.waitFor(uri, (d) => d.some((x) => x.code === 'missing-env-file'), 'the missing env file');
      assert.equal(missing.range.start.line, 4);
      writeFileSync(join(ws.dir, 'dev.env'), 'A=1\n');
      writeConfig(ws, text);
      assert.equal((await client.connection.sendRequest(ReloadRequest.type, {})).ok, true);
      await client.waitFor(uri, (d) => d.length === 0, 'the same text, checked again: clean');
      await client.close(uri);
      await reloadValid(client);
    });
  });

  test('a client that can watch files is asked to watch env files; a change it reports has open documents checked again', async () => {
    await LspClient.with(ws, async (client) => {
      const registrations: { registrations: { method: string; registerOptions: unknown }[] }[] = [];
      client.connection.onRequest('client/registerCapability', (params: (typeof registrations)[number]) => void registrations.push(params));
      await client.initialize({ workspace: { didChangeWatchedFiles: { dynamicRegistration: true } } });
      await waitUntil(() => registrations.length > 0, { message: 'a registration' });
      assert.deepEqual(registrations[0].registrations.map((r) => [r.method, r.registerOptions]), [
        ['workspace/didChangeWatchedFiles', { watchers: [{ globPattern: '**/.env*' }, { globPattern: '**/*.env' }] }],
      ]);
      const text = VALID.replace('sleep 300', 'sleep 300\n    env_file: .env.local');
      await client.open(uri, text);
      await client.waitFor(uri, (d) => d.some((x) => x.code === 'missing-env-file'), 'the missing env file');
      writeFileSync(join(ws.dir, '.env.local'), 'A=1\n');
      await client.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: pathToFileURL(join(ws.dir, '.env.local')).href, type: 1 }] });
      await client.waitFor(uri, (d) => d.length === 0, 'checked again: clean, with no reload');
      await client.close(uri);
    });
  });

  test('a rollback (worker never ready) shows as a reload-failed diagnostic at the worker key', async () => {
    await LspClient.with(ws, async (client) => {
      await client.initialize();
      writeConfig(ws, VALID.replace('sleep 300', 'sleep 301\n    ready: { log: "never", timeout: 300ms }'));
      assert.equal((await client.connection.sendRequest(ReloadRequest.type, {})).ok, false);
      const [failure] = await client.waitFor(uri, (d) => d.some((x) => x.code === 'reload-failed'), 'reload-failed diagnostic');
      assert.equal(failure.range.start.line, 2);
      assert.match(failure.message, /wait mode.*api/);
      await reloadValid(client);
      await client.waitFor(uri, (d) => d.length === 0, 'cleared');
    });
  });

  test("a failed start's reason stays on unsaved edits while in wait mode: where its worker now is, else at the top", async () => {
    await LspClient.with(ws, async (client) => {
      await client.initialize();
      const onDisk = `${VALID}  new:\n    command: "sh -c 'exit 3'"\n`;
      await client.open(uri, onDisk);
      writeConfig(ws, onDisk);
      assert.equal((await client.connection.sendRequest(ReloadRequest.type, {})).ok, false);
      const reasonAt = async (line: number, character: number, what: string): Promise<void> => {
        const [failure] = await client.waitFor(uri, (d) => d.some((x) => x.code === 'reload-failed' && x.range.start.line === line), what);
        assert.deepEqual(failure.range.start, { line, character });
        assert.match(failure.message, /wait mode: worker new failed to start/);
      };
      await reasonAt(4, 2, 'the reason at worker new in the text the reload read');
      await client.change(uri, `# a comment\n# another\n${onDisk}`);
      await reasonAt(6, 2, 'the reason moved with worker new, two lines down');
      await client.change(uri, `${VALID}\n`);
      await reasonAt(0, 0, 'worker new gone from the buffer: the reason at the top');
      assert.equal((await status(ws)).state, 'wait');
      await client.close(uri);
      await reloadValid(client);
      await client.waitFor(uri, (d) => d.length === 0, 'cleared after the good reload');
    });
  });

  test('a file saved with a byte order mark: its failed reload shows on the open buffer (which has none), at the same columns', async () => {
    await LspClient.with(ws, async (client) => {
      await client.initialize();
      const text = VALID.replace('version: 1', 'version: 2');
      await client.open(uri, text);
      writeConfig(ws, `\ufeff${text}`);
      const result = await client.connection.sendRequest(ReloadRequest.type, {});
      assert.deepEqual([result.error?.line, result.error?.column], [1, 10]);
      assert.deepEqual([(await status(ws)).lastReload?.error?.column], [10]);
      await client.close(uri);
      const [onDisk] = await client.waitFor(uri, (d) => d.length > 0, 'the disk diagnostics');
      assert.deepEqual(onDisk.range.start, { line: 0, character: 9 });
      const failing = VALID.replace('sleep 300', 'sleep 300\n  new:\n    command: "sh -c \'exit 3\'"');
      writeConfig(ws, `\ufeff${failing}`);
      await client.open(uri, failing);
      assert.equal((await client.connection.sendRequest(ReloadRequest.type, {})).ok, false);
      const [failure] = await client.waitFor(uri, (d) => d.some((x) => x.code === 'reload-failed'), 'the reason on the buffer');
      assert.deepEqual(failure.range, { start: { line: 4, character: 2 }, end: { line: 4, character: 5 } });
      await client.close(uri);
      await reloadValid(client);
    });
  });

  test('status pushes are coalesced: scaling to 30 replicas sends far fewer than 30 notifications', async () => {
    await LspClient.with(ws, async (client) => {
      const pushes: StatusSnapshot[] = [];
      client.connection.onNotification(StatusChangedNotification.type, (snapshot) => {
        pushes.push(snapshot);
      });
      await client.connection.sendRequest(SubscribeRequest.type, {});
      writeConfig(ws, VALID.replace('sleep 300', 'sleep 300\n    replicas: 30'));
      assert.equal((await client.connection.sendRequest(ReloadRequest.type, {})).ok, true);
      await waitUntil(() => pushes.at(-1)?.workers.filter((w) => w.state === 'running').length === 30, { message: 'a push with 30 running' });
      assert.ok(pushes.length < 30, `${pushes.length} pushes`);
      await reloadValid(client);
    });
  });

  test('entering wait mode is pushed at once: the wait-mode push arrives before the failed reload is even answered', async () => {
    await LspClient.with(ws, async (client) => {
      let waitPushedAt: number | undefined;
      client.connection.onNotification(StatusChangedNotification.type, (snapshot) => {
        if (snapshot.state === 'wait') waitPushedAt ??= performance.now();
      });
      await client.connection.sendRequest(SubscribeRequest.type, {});
      writeConfig(ws, VALID.replace('sleep 300', 'sleep 300\n    restart: sometimes'));
      const requested = performance.now();
      assert.equal((await client.connection.sendRequest(ReloadRequest.type, {})).ok, false);
      const answered = performance.now();
      assert.ok(waitPushedAt !== undefined, `no wait-mode push by the answer (${(answered - requested).toFixed(1)} ms after the request)`);
      console.log(`# wait-mode push ${(waitPushedAt - requested).toFixed(1)} ms after the request, answer after ${(answered - requested).toFixed(1)} ms`);
      await reloadValid(client);
    });
  });

  test("an LSP exit notification (and a dead client processId) end only that client's connection", async () => {
    const client = await LspClient.open(ws);
    await client.initialize();
    await client.connection.sendRequest('shutdown');
    await client.connection.sendNotification('exit');
    // vscode-languageserver's node watchdog polls the client's processId every 3 s and exits when it is gone.
    await new Promise((resolve) => setTimeout(resolve, 3_500));
    client.end();
    const snapshot = await status(ws);
    assert.equal(snapshot.state, 'running');
    assert.equal(snapshot.workers.length, 1);
  });
});
