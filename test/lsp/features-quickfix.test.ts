/**
 * Quick fixes for the checker's diagnostics, over a real LSP connection:
 * did-you-mean for keys, values and dependencies, removing a duplicate port
 * (flow and block lists), adding a ready probe to a dependency that is
 * waited for (tcp on its first port, or a log pattern to edit). Applying
 * the preferred fixes leaves a config without problems.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CodeActionKind, type CodeAction, type Diagnostic, type TextEdit } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { cleanup, makeWorkspace, up, type Workspace } from '../helpers/master';
import { FeatureClient } from './features-client';

const TEXT = [
  'version: 1',
  'workers:',
  '  db:',
  '    command: sleep 300',
  '    ports: [5432, 5432]',
  '  api:',
  '    comand: sleep 301',
  '    depends_on: { db: ready, wbe: started, cache: ready }',
  '    restart: on-falure',
  '  web:',
  '    command: sleep 302',
  '    ports:',
  '      - 3000',
  '      - 3000',
  '  cache:',
  '    command: sleep 303',
  '',
].join('\n');

const range = (line: number, from: number, to: number) => ({ start: { line, character: from }, end: { line, character: to } });
const at = (line: number, character: number) => ({ start: { line, character }, end: { line, character } });

function fix(client: FeatureClient, diagnostic: Diagnostic, title: string, edits: TextEdit[], isPreferred: boolean): CodeAction {
  return { title, kind: CodeActionKind.QuickFix, diagnostics: [diagnostic], ...(isPreferred ? { isPreferred } : {}), edit: { changes: { [client.uri]: edits } } };
}

describe('quick fixes', () => {
  let ws: Workspace;
  let client: FeatureClient;
  let diagnostics: Diagnostic[];
  const find = (code: string, line: number) => {
    const found = diagnostics.find((diagnostic) => diagnostic.code === code && diagnostic.range.start.line === line);
    assert.ok(found, `a ${code} diagnostic on line ${line + 1}`);
    return found;
  };

  before(async () => {
    ws = makeWorkspace('quickfix', 'version: 1\nworkers:\n  idle:\n    command: sleep 300\n');
    await up(ws);
    client = (await FeatureClient.start(ws)).client;
    await client.open(TEXT);
    diagnostics = await client.waitForDiagnostics((list) => list.length >= 6, 'the fixture diagnostics');
  });

  after(async () => {
    client?.end();
    await cleanup(ws);
  });

  test('did you mean: an unknown key, an unknown dependency, an invalid value', async () => {
    const key = find('unknown-key', 6);
    assert.deepEqual(await client.codeActions([key]), [fix(client, key, "Change to 'command'", [{ range: range(6, 4, 10), newText: 'command' }], true)]);
    const dependency = find('unknown-dependency', 7);
    assert.deepEqual(await client.codeActions([dependency]), [fix(client, dependency, "Change to 'web'", [{ range: range(7, 29, 32), newText: 'web' }], true)]);
    const value = find('invalid-value', 8);
    assert.deepEqual(await client.codeActions([value]), [fix(client, value, "Change to 'on-failure'", [{ range: range(8, 13, 22), newText: 'on-failure' }], true)]);
  });

  test('a duplicate port is removed with its comma (flow list) or its line (block list)', async () => {
    const flow = find('duplicate-port', 4);
    assert.deepEqual(await client.codeActions([flow]), [fix(client, flow, 'Remove duplicate port 5432', [{ range: range(4, 16, 22), newText: '' }], true)]);
    const block = find('duplicate-port', 13);
    const removeLine = { range: { start: { line: 13, character: 0 }, end: { line: 14, character: 0 } }, newText: '' };
    assert.deepEqual(await client.codeActions([block]), [fix(client, block, 'Remove duplicate port 3000', [removeLine], true)]);
  });

  test("waiting for a worker without a probe: add one (tcp on its first port, or a log pattern), or wait only until it has started", async () => {
    const [onDb, onCache] = diagnostics.filter((diagnostic) => diagnostic.code === 'ready-without-probe');
    assert.deepEqual(onDb.range, range(7, 22, 27));
    assert.deepEqual(await client.codeActions([onDb]), [
      fix(client, onDb, "Add a ready probe to worker 'db' (tcp on port 5432)", [{ range: at(4, 23), newText: '\n    ready:\n      tcp: 5432' }], true),
      fix(client, onDb, "Change to 'started'", [{ range: range(7, 22, 27), newText: 'started' }], false),
    ]);
    assert.deepEqual(onCache.range, range(7, 50, 55));
    assert.deepEqual((await client.codeActions([onCache]))[0], fix(client, onCache, "Add a ready probe to worker 'cache' (a log pattern to edit)", [{ range: at(15, 22), newText: '\n    ready:\n      log: "listening"' }], true));
  });

  test('a diagnostic the checker no longer reports (stale) gets no fix', async () => {
    const stale = { ...find('unknown-key', 6), range: range(6, 0, 3) };
    assert.deepEqual(await client.codeActions([stale]), []);
  });

  test('applying every preferred fix, one at a time, leaves no problem', async () => {
    let document = TextDocument.create(client.uri, 'yaml', 1, TEXT);
    for (let round = 0; round < 10; round++) {
      const current = await client.waitForDiagnostics(() => true, 'diagnostics');
      if (current.length === 0) break;
      const actions = await client.codeActions(current);
      const preferred = actions.find((action) => action.isPreferred);
      assert.ok(preferred, `a preferred fix for ${current.map((d) => d.code).join(', ')}`);
      document = TextDocument.create(client.uri, 'yaml', round + 2, TextDocument.applyEdits(document, preferred.edit!.changes![client.uri]));
      client.diagnostics.delete(client.uri);
      await client.change(document.getText());
    }
    assert.deepEqual(await client.waitForDiagnostics(() => true, 'final diagnostics'), []);
    assert.match(document.getText(), /  db:\n    command: sleep 300\n    ports: \[5432\]\n    ready:\n      tcp: 5432\n/);
    assert.match(document.getText(), /    command: sleep 301\n    depends_on: \{ db: ready, web: started, cache: ready \}\n    restart: on-failure\n/);
    assert.match(document.getText(), /    ports:\n      - 3000\n  cache:\n    command: sleep 303\n    ready:\n      log: "listening"\n/);
  });

  test("a misspelled top-level key is one error, on the misspelling, fixed by renaming it (not also 'missing workers' on version)", async () => {
    client.diagnostics.delete(client.uri);
    await client.change('version: 1\nwokers:\n  api:\n    command: sleep 1\n');
    const [typo, ...more] = await client.waitForDiagnostics((list) => list.length > 0, 'the misspelling');
    assert.deepEqual(more, []);
    assert.deepEqual([typo.code, typo.range, typo.message], ['unknown-key', range(1, 0, 6), "unknown key 'wokers' at the top level (did you mean 'workers'?)"]);
    assert.deepEqual(await client.codeActions([typo]), [fix(client, typo, "Change to 'workers'", [{ range: range(1, 0, 6), newText: 'workers' }], true)]);
  });
});
