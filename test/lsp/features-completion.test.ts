/**
 * Completion served by the master over a real LSP connection, on text as
 * it is while typing (often not valid YAML yet): keys at every level minus
 * the ones already written, values of fixed sets, worker names in
 * depends_on, snippets for a new worker.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CompletionItemKind, InsertTextFormat, type CompletionItem } from 'vscode-languageserver';
import { cleanup, makeWorkspace, up, type Workspace } from '../helpers/master';
import { parseDocument } from 'yaml';
import { FeatureClient, positionOf } from './features-client';

const RUNNING = 'version: 1\nworkers:\n  api:\n    command: sleep 300\n';

/** The items at the `|` of `typed` (which is removed). */
async function completeAt(client: FeatureClient, typed: string): Promise<CompletionItem[]> {
  const position = positionOf(typed, '|');
  await client.change(typed.replace('|', ''));
  return client.completion(position);
}

/** A snippet as inserted with every tab stop filled: its default, its first choice, or `1`. */
const filled = (snippet: string) => snippet.replace(/\$\{\d+\|([^,|]+)[^}]*\}|\$\{\d+:([^}]*)\}|\$\{\d+\}|\$\d+/g, (_, choice?: string, placeholder?: string) => choice ?? placeholder ?? '1');

const labels = (items: CompletionItem[]) => items.map((item) => item.label);
const edits = (items: CompletionItem[]) => items.map((item) => (item.textEdit && 'range' in item.textEdit ? item.textEdit : undefined));

describe('completion in steward.yaml', () => {
  let ws: Workspace;
  let client: FeatureClient;

  before(async () => {
    ws = makeWorkspace('complete', RUNNING);
    await up(ws);
    const started = await FeatureClient.start(ws);
    client = started.client;
    assert.deepEqual(started.capabilities.completionProvider, { triggerCharacters: [':', ' ', '[', ',', '-'] });
    await client.open(RUNNING);
  });

  after(async () => {
    client?.end();
    await cleanup(ws);
  });

  test('an empty file offers the two top-level keys as snippets', async () => {
    const items = await completeAt(client, '|');
    assert.deepEqual(labels(items), ['version', 'workers']);
    assert.deepEqual(items.map((item) => item.kind), [CompletionItemKind.Property, CompletionItemKind.Property]);
    assert.deepEqual(edits(items).map((edit) => edit?.newText), ['version: 1', 'workers:\n  $0']);
    assert.equal(items[0].insertTextFormat, InsertTextFormat.Snippet);
  });

  test('a position past the end of the text is read as the end: edits stay inside the document', async () => {
    await client.change(RUNNING);
    const items = await client.completion({ line: 999, character: 0 });
    for (const edit of edits(items)) assert.ok(edit && edit.range.start.line <= 4 && edit.range.end.line <= 4, JSON.stringify(edit));
  });

  test('a half-typed key in a worker offers the worker keys not yet written, replacing the typed word', async () => {
    const items = await completeAt(client, 'version: 1\nworkers:\n  api:\n    command: x\n    re|\n  web:\n    command: y\n');
    assert.deepEqual(labels(items), ['cwd', 'env', 'env_file', 'ports', 'depends_on', 'ready', 'restart', 'stop', 'replicas']);
    assert.deepEqual(edits(items)[6], { range: { start: { line: 4, character: 4 }, end: { line: 4, character: 6 } }, newText: 'restart: ${1|always,on-failure,never|}' });
    assert.equal(items[6].detail, 'one of always, on-failure, never');
    assert.match(String((items[6].documentation as { value: string }).value), /^\*\*`restart`\*\* · one of `always`, `on-failure`, `never`\n\nWhen to restart/);
  });

  test('keys of ready and stop blocks, block and flow style', async () => {
    const ready = await completeAt(client, 'version: 1\nworkers:\n  api:\n    command: x\n    ready:\n      |\n');
    assert.deepEqual(labels(ready), ['tcp', 'http', 'log', 'exec', 'timeout', 'interval']);
    const flow = await completeAt(client, 'version: 1\nworkers:\n  api:\n    command: x\n    ready: { tcp: 3000, |\n');
    assert.deepEqual(labels(flow), ['http', 'log', 'exec', 'timeout', 'interval']);
    const stop = await completeAt(client, 'version: 1\nworkers:\n  api:\n    command: x\n    stop:\n      signal: SIGINT\n      |\n');
    assert.deepEqual(labels(stop), ['timeout']);
  });

  test('values of fixed sets: restart policies, signals (common first), ready conditions', async () => {
    const restart = await completeAt(client, 'version: 1\nworkers:\n  api:\n    command: x\n    restart: on|\n');
    assert.deepEqual(labels(restart), ['always', 'on-failure', 'never']);
    assert.deepEqual(restart.map((item) => item.kind), [CompletionItemKind.EnumMember, CompletionItemKind.EnumMember, CompletionItemKind.EnumMember]);
    assert.deepEqual(edits(restart)[1], { range: { start: { line: 4, character: 13 }, end: { line: 4, character: 15 } }, newText: 'on-failure' });
    const glued = await completeAt(client, 'version: 1\nworkers:\n  api:\n    command: x\n    restart:|\n');
    assert.deepEqual(edits(glued)[0], { range: { start: { line: 4, character: 12 }, end: { line: 4, character: 12 } }, newText: ' always' });
    const signal = await completeAt(client, 'version: 1\nworkers:\n  api:\n    command: x\n    stop: { signal: SIGT|\n');
    assert.deepEqual(labels(signal).slice(0, 7), ['SIGTERM', 'SIGINT', 'SIGQUIT', 'SIGHUP', 'SIGKILL', 'SIGUSR1', 'SIGUSR2']);
    assert.ok(labels(signal).includes('SIGWINCH'));
    const condition = await completeAt(client, 'version: 1\nworkers:\n  api:\n    command: x\n    depends_on:\n      web: r|\n  web:\n    command: y\n');
    assert.deepEqual(labels(condition), ['started', 'ready', 'completed']);
    const flowCondition = await completeAt(client, 'version: 1\nworkers:\n  api:\n    command: x\n    depends_on: { web: |\n  web:\n    command: y\n');
    assert.deepEqual(labels(flowCondition), ['started', 'ready', 'completed']);
  });

  test('depends_on offers the other workers: never the worker itself, never one already listed', async () => {
    const workers = 'version: 1\nworkers:\n  api:\n    command: x\n    depends_on: |\n  web:\n    command: y\n  db:\n    command: z\n';
    const flow = await completeAt(client, workers.replace('depends_on: |', 'depends_on: [web, |'));
    assert.deepEqual(labels(flow), ['db']);
    assert.deepEqual(flow.map((item) => item.kind), [CompletionItemKind.Reference]);
    const list = await completeAt(client, workers.replace('depends_on: |', 'depends_on:\n      - db\n      - |'));
    assert.deepEqual(labels(list), ['web']);
    const map = await completeAt(client, workers.replace('depends_on: |', 'depends_on:\n      |'));
    assert.deepEqual(labels(map), ['web', 'db']);
    assert.deepEqual(edits(map)[0]?.newText, 'web: ');
    const ofDb = await completeAt(client, workers.replace('depends_on: |', 'command: w').replace('command: z', 'command: z\n    depends_on: [|'));
    assert.deepEqual(labels(ofDb), ['api', 'web']);
  });

  test('under workers: snippets for a new worker', async () => {
    const items = await completeAt(client, 'version: 1\nworkers:\n  |\n  api:\n    command: x\n');
    assert.deepEqual(labels(items), ['worker', 'worker (command only)']);
    assert.deepEqual(items.map((item) => item.kind), [CompletionItemKind.Snippet, CompletionItemKind.Snippet]);
    assert.equal(
      edits(items)[0]?.newText,
      '${1:name}:\n  command: ${2:npm run dev}\n  cwd: ${3:.}\n  ports: [${4:3000}]\n  ready:\n    tcp: ${4}\n  restart: ${5|on-failure,always,never|}',
    );
  });

  test('inside a flow mapping { … }, every key and worker snippet stays on the line, so the YAML stays valid', async () => {
    const typed = 'version: 1\nworkers:\n  api:\n    command: sleep 300\n  web: { command: "x", rest| }\n';
    const items = await completeAt(client, typed);
    const byLabel = new Map(items.map((item) => [item.label, edits([item])[0]?.newText]));
    assert.equal(byLabel.get('ready'), 'ready: { ${1|tcp,http,log,exec|}: $0 }');
    assert.equal(byLabel.get('stop'), 'stop: { $0 }');
    assert.equal(byLabel.get('env'), 'env: { $0 }');
    const inWorkers = await completeAt(client, 'version: 1\nworkers: { api: { command: x }, | }\n');
    assert.deepEqual(labels(inWorkers), ['worker', 'worker (command only)']);
    for (const item of [...items, ...inWorkers]) {
      const edit = edits([item])[0]!;
      const lines = typed.replace('|', '').split('\n');
      const source = item.label.startsWith('worker') ? 'version: 1\nworkers: { api: { command: x },  }\n'.split('\n') : lines;
      const line = source[edit.range.start.line];
      source[edit.range.start.line] = `${line.slice(0, edit.range.start.character)}${filled(edit.newText)}${line.slice(edit.range.end.character)}`;
      assert.deepEqual(parseDocument(source.join('\n')).errors, [], `${item.label}: ${source.join('\n')}`);
    }
  });

  test('env holds free-form names: nothing to offer', async () => {
    assert.deepEqual(await completeAt(client, 'version: 1\nworkers:\n  api:\n    command: x\n    env:\n      |\n'), []);
  });
});
