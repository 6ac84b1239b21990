/**
 * Worker names as symbols, over a real LSP connection to the master: go to
 * definition, find references, rename (list and map forms of depends_on),
 * prepareRename's refusals; the outline and folding per worker.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { SymbolKind, type DocumentSymbol } from 'vscode-languageserver';
import { cleanup, makeWorkspace, up, type Workspace } from '../helpers/master';
import { FeatureClient, positionOf } from './features-client';

const TEXT = [
  'version: 1',
  'workers:',
  '  db:',
  '    command: sleep 300',
  '    ports: [5432]',
  '  api:',
  '    command: sleep 301',
  '    depends_on: { db: ready }',
  '  web:',
  '    command: sleep 302',
  '    depends_on:',
  '      - api',
  '      - db',
  '',
].join('\n');

const range = (line: number, from: number, to: number) => ({ start: { line, character: from }, end: { line, character: to } });

describe('navigation, rename and outline of workers', () => {
  let ws: Workspace;
  let client: FeatureClient;

  before(async () => {
    ws = makeWorkspace('navigate', 'version: 1\nworkers:\n  idle:\n    command: sleep 300\n');
    await up(ws);
    client = (await FeatureClient.start(ws)).client;
    await client.open(TEXT);
  });

  after(async () => {
    client?.end();
    await cleanup(ws);
  });

  test("go to definition from a depends_on use lands on the worker's key", async () => {
    assert.deepEqual(await client.definition(positionOf(TEXT, '{ db', 3)), { uri: client.uri, range: range(2, 2, 4) });
    assert.deepEqual(await client.definition(positionOf(TEXT, '- api', 3)), { uri: client.uri, range: range(5, 2, 5) });
    assert.equal(await client.definition(positionOf(TEXT, 'ports')), null);
  });

  test('find references lists the key (when asked) and every depends_on use, in file order', async () => {
    const onKey = positionOf(TEXT, 'db:', 1);
    assert.deepEqual(await client.references(onKey, true), [
      { uri: client.uri, range: range(2, 2, 4) },
      { uri: client.uri, range: range(7, 18, 20) },
      { uri: client.uri, range: range(12, 8, 10) },
    ]);
    assert.deepEqual(await client.references(onKey, false), [
      { uri: client.uri, range: range(7, 18, 20) },
      { uri: client.uri, range: range(12, 8, 10) },
    ]);
  });

  test('rename changes the key and every use, list and map forms alike', async () => {
    assert.deepEqual(await client.prepareRename(positionOf(TEXT, '- db', 2)), { range: range(12, 8, 10), placeholder: 'db' });
    const edit = await client.rename(positionOf(TEXT, '- db', 2), 'postgres');
    assert.deepEqual(edit, {
      changes: {
        [client.uri]: [
          { range: range(2, 2, 4), newText: 'postgres' },
          { range: range(7, 18, 20), newText: 'postgres' },
          { range: range(12, 8, 10), newText: 'postgres' },
        ],
      },
    });
  });

  test('prepareRename refuses positions that are not worker names; rename refuses invalid and taken names', async () => {
    await assert.rejects(client.prepareRename(positionOf(TEXT, 'command')), /Only a worker name \(its key or a depends_on entry\) can be renamed/);
    await assert.rejects(client.prepareRename(positionOf(TEXT, 'ready }')), /Only a worker name/);
    await assert.rejects(client.rename(positionOf(TEXT, 'api:'), 'Bad Name'), /'Bad Name' is not a valid worker name/);
    await assert.rejects(client.rename(positionOf(TEXT, 'api:'), 'web'), /A worker named 'web' already exists/);
  });

  test('the outline: top-level keys, workers with their command as detail, fields with their values', async () => {
    const symbols = (await client.symbols()) as DocumentSymbol[];
    const shape = (symbol: DocumentSymbol): unknown => [symbol.name, symbol.kind, symbol.detail ?? null, ...(symbol.children ? [symbol.children.map(shape)] : [])];
    assert.deepEqual(symbols.map(shape), [
      ['version', SymbolKind.Property, '1'],
      ['workers', SymbolKind.Module, null, [
        ['db', SymbolKind.Class, 'sleep 300', [['command', SymbolKind.Property, 'sleep 300'], ['ports', SymbolKind.Property, '[5432]']]],
        ['api', SymbolKind.Class, 'sleep 301', [['command', SymbolKind.Property, 'sleep 301'], ['depends_on', SymbolKind.Property, '{ db: ready }']]],
        ['web', SymbolKind.Class, 'sleep 302', [['command', SymbolKind.Property, 'sleep 302'], ['depends_on', SymbolKind.Property, '- api - db']]],
      ]],
    ]);
    const web = symbols[1].children![2];
    assert.deepEqual([web.range, web.selectionRange], [{ start: { line: 8, character: 2 }, end: { line: 12, character: 10 } }, range(8, 2, 5)]);
  });

  test('folding: the workers block, each worker, and a block list', async () => {
    assert.deepEqual(await client.foldingRanges(), [
      { startLine: 1, endLine: 12 },
      { startLine: 2, endLine: 4 },
      { startLine: 5, endLine: 7 },
      { startLine: 8, endLine: 12 },
      { startLine: 10, endLine: 12 },
    ]);
  });

  test('an env_file path that can be read is a link to the file, and its hover names the variables it sets; one that cannot is neither', async () => {
    writeFileSync(join(ws.dir, 'dev.env'), 'A=1\nexport SECRET="not shown"\n');
    const text = TEXT.replace('    command: sleep 301\n', '    command: sleep 301\n    env_file: [dev.env, missing.env]\n');
    await client.change(text);
    assert.deepEqual(await client.documentLinks(), [{ range: range(7, 15, 22), target: pathToFileURL(join(ws.dir, 'dev.env')).href }]);
    const hover = await client.hover(positionOf(text, 'dev.env', 2));
    assert.deepEqual(hover, {
      contents: { kind: 'markdown', value: `**env file** \`${join(ws.dir, 'dev.env')}\`\n\nsets \`A\`, \`SECRET\` (a worker's own \`env\` wins over it)` },
      range: range(7, 15, 22),
    });
    assert.equal(await client.hover(positionOf(text, 'missing.env', 2)), null, 'a path that cannot be read has its diagnostic instead');
    await client.change(TEXT);
    assert.deepEqual(await client.documentLinks(), []);
  });
});
