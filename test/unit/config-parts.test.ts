/** The config checker's parts: durations, suggestions, program words, PATH, locating and loading files, the schema, the outline. */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { checkConfigText, toLocatedError } from '../../supervisor/config/check';
import { parseDuration } from '../../supervisor/config/duration';
import { stewardJsonSchema } from '../../supervisor/config/jsonSchema';
import { keySpecAt, keysAt, WORKER_KEYS } from '../../supervisor/config/keys';
import { loadConfigFile, readRegularFile } from '../../supervisor/config/load';
import { findConfigUpward } from '../../supervisor/config/locate';
import { mapAt } from '../../supervisor/config/outline';
import { commandOnPath, programToCheck } from '../../supervisor/config/program';
import { SourceMap } from '../../supervisor/config/ranges';
import { closest, editDistance } from '../../supervisor/config/suggest';

const scratch = mkdtempSync(join(tmpdir(), 'steward-config-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

describe('durations', () => {
  it('reads ms, s, m, h, fractions and sums as milliseconds', () => {
    assert.deepEqual(['500ms', '5s', '1m', '1h', '1.5s', '1m30s'].map(parseDuration), [500, 5_000, 60_000, 3_600_000, 1_500, 90_000]);
  });

  it('refuses bare numbers, unknown units and blanks', () => {
    assert.deepEqual(['5', '5 s', '5d', '', 's', '-1s'].map(parseDuration), Array(6).fill(undefined));
  });
});

describe('text positions', () => {
  it('count CRLF as one line break and never point inside it', () => {
    const source = new SourceMap('ab\r\ncd');
    assert.deepEqual([0, 2, 3, 4, 6].map((offset) => source.position(offset)), [
      { line: 0, character: 0 }, { line: 0, character: 2 }, { line: 0, character: 2 }, { line: 1, character: 0 }, { line: 1, character: 2 },
    ]);
  });

  it('widen a zero-width spot to one character, or to a whole line break in a blank text', () => {
    assert.deepEqual(new SourceMap('key: x\n').span(6, 6), { start: { line: 0, character: 5 }, end: { line: 0, character: 6 } });
    assert.deepEqual(new SourceMap('\r\n').whole(), { start: { line: 0, character: 0 }, end: { line: 1, character: 0 } });
  });
});

describe('suggestions', () => {
  it('counts a swap of two neighbours as one edit', () => {
    assert.equal(editDistance('SIGTREM', 'SIGTERM'), 1);
    assert.equal(editDistance('comand', 'command'), 1);
  });

  it('suggests only plausible typos', () => {
    assert.equal(closest('depend_on', Object.keys(WORKER_KEYS)), 'depends_on');
    assert.equal(closest('Restart', Object.keys(WORKER_KEYS)), 'restart');
    assert.equal(closest('banana', Object.keys(WORKER_KEYS)), undefined);
  });
});

describe('the program of a command line', () => {
  it('is the first word, quotes removed', () => {
    assert.deepEqual(programToCheck('  node server.js'), { program: 'node', raw: 'node' });
    assert.deepEqual(programToCheck("'my tool' --flag"), { program: 'my tool', raw: "'my tool'" });
    assert.deepEqual(programToCheck('npm run dev&& echo'), { program: 'npm', raw: 'npm' });
  });

  it('is the word after plain leading assignments, which only set its environment', () => {
    assert.deepEqual(programToCheck('PORT=1 nodee server.js'), { program: 'nodee', raw: 'nodee' });
    assert.deepEqual(programToCheck('A=1 B=x/y nodee'), { program: 'nodee', raw: 'nodee' });
  });

  it('is not checked for builtins, paths, assignments alone or sh must expand, a PATH assignment, expansions', () => {
    for (const command of ['cd api && npm start', './run.sh', '/usr/bin/env node', 'PORT=1', 'X=$(echo 1) node x', 'A="a b" node x', 'PATH=/opt/bin node x', '$EDITOR', 'exec node x', '"unclosed']) {
      assert.equal(programToCheck(command), undefined, command);
    }
  });

  it('is found on a PATH holding an executable file of that name', () => {
    const bin = join(scratch, 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'mytool'), '#!/bin/sh\n');
    chmodSync(join(bin, 'mytool'), 0o755);
    writeFileSync(join(bin, 'plain'), 'not executable');
    assert.equal(commandOnPath('mytool', { PATH: `relative:${bin}` }), true);
    assert.equal(commandOnPath('plain', { PATH: bin }), false);
    assert.equal(commandOnPath('mytool', { PATH: 'relative' }), false);
  });

  it('honours a PATH set in the worker env', () => {
    const text = `version: 1\nworkers:\n  a:\n    command: mytool\n    env: { PATH: "${join(scratch, 'bin')}" }\n  b:\n    command: mytool\n`;
    const parsed = checkConfigText(text, join(scratch, 'steward.yaml'));
    assert.deepEqual(parsed.diagnostics.map((d) => [d.code, d.range.start.line]), [['command-not-found', 6]]);
  });
});

describe('finding and loading the config file', () => {
  it('finds the nearest steward.yaml upward', () => {
    const deep = join(scratch, 'ws', 'a', 'b');
    mkdirSync(deep, { recursive: true });
    writeFileSync(join(scratch, 'ws', 'steward.yaml'), 'version: 1\nworkers: {}\n');
    assert.equal(findConfigUpward(deep), join(scratch, 'ws', 'steward.yaml'));
    assert.equal(findConfigUpward('/'), undefined);
  });

  it('says clearly when the file is missing or a directory', async () => {
    const missing = await loadConfigFile(join(scratch, 'nope', 'steward.yaml'));
    assert.deepEqual(missing, { kind: 'unreadable', error: { message: `config file not found: ${join(scratch, 'nope', 'steward.yaml')}`, file: join(scratch, 'nope', 'steward.yaml'), line: 1, column: 1 } });
    const directory = await loadConfigFile(scratch);
    assert.equal(directory.kind === 'unreadable' && directory.error.message, `config file is a directory: ${scratch}`);
  });

  it('says clearly when the file is not readable', { skip: process.getuid?.() === 0 && 'root reads every file' }, async () => {
    const locked = join(scratch, 'locked.yaml');
    writeFileSync(locked, 'version: 1\n', { mode: 0o000 });
    const loaded = await loadConfigFile(locked);
    assert.equal(loaded.kind === 'unreadable' && loaded.error.message, `config file is not readable (permission denied): ${locked}`);
  });

  it('parses a readable file and keeps its text', async () => {
    const loaded = await loadConfigFile(join(scratch, 'ws', 'steward.yaml'));
    assert.equal(loaded.kind, 'parsed');
    assert.equal(loaded.kind === 'parsed' && loaded.text, 'version: 1\nworkers: {}\n');
  });

  it('reads a file whole in one read: empty, multi-byte, larger than any pipe or page', async () => {
    const texts = ['', 'version: 1\nworkers: {}\n', `# ünïcödé ✓ 🚀\n${'x'.repeat(4095)}é\n`, `${'workers:\n  w:\n    command: sleep 1\n'.repeat(40_000)}`];
    for (const [i, text] of texts.entries()) {
      const file = join(scratch, `read-${i}.yaml`);
      writeFileSync(file, text);
      assert.equal(await readRegularFile(file), text);
    }
  });

  it('converts a diagnostic to a 1-based located error', () => {
    const [diagnostic] = checkConfigText('version: 2\nworkers: {}\n', 'x.yaml').diagnostics.filter((d) => d.severity === 'error');
    assert.deepEqual(toLocatedError(diagnostic, 'x.yaml'), {
      message: diagnostic.message, file: 'x.yaml', line: 1, column: 10, endLine: 1, endColumn: 11,
    });
  });
});

describe('the key table', () => {
  it('resolves the keys allowed at a path', () => {
    assert.ok(keysAt([])?.workers);
    assert.equal(keysAt(['workers']), undefined);
    assert.ok(keysAt(['workers', 'api'])?.command);
    assert.ok(keysAt(['workers', 'api', 'ready'])?.tcp);
    assert.ok(keysAt(['workers', 'api', 'stop'])?.signal);
    assert.equal(keysAt(['workers', 'api', 'env']), undefined);
    assert.match(keySpecAt(['workers', 'api', 'restart'])?.doc ?? '', /on-failure/);
  });

  it('generates the JSON Schema from the same table', () => {
    const schema = stewardJsonSchema() as { properties: { workers: { additionalProperties: { properties: Record<string, { description: string }>; required: string[] } } } };
    const worker = schema.properties.workers.additionalProperties;
    assert.deepEqual(Object.keys(worker.properties), Object.keys(WORKER_KEYS));
    assert.deepEqual(worker.required, ['command']);
    for (const [key, spec] of Object.entries(WORKER_KEYS)) assert.equal(worker.properties[key].description, spec.doc);
  });
});

describe('the outline', () => {
  const text = 'version: 1\nworkers:\n  db:\n    command: sleep 1\n  api:\n    command: sleep 1\n    depends_on: { db: ready }\n    ready: { tcp: 3000 }\n';
  const { outline } = checkConfigText(text, join(scratch, 'steward.yaml'), { commandExists: () => true });

  it('has each worker with its key range, entry range and fields', () => {
    assert.deepEqual(outline.workers.map((w) => [w.name, w.keyRange.start.line, w.entryRange.end.line, w.fields.map((f) => f.key)]), [
      ['db', 2, 3, ['command']],
      ['api', 4, 7, ['command', 'depends_on', 'ready']],
    ]);
  });

  it('has each depends_on reference with the ranges of its name and condition', () => {
    assert.deepEqual(outline.references, [{
      name: 'db', worker: 'api', condition: 'ready',
      range: { start: { line: 6, character: 18 }, end: { line: 6, character: 20 } },
      conditionRange: { start: { line: 6, character: 22 }, end: { line: 6, character: 27 } },
    }]);
  });

  it('finds the innermost mapping at a position, with its path', () => {
    assert.deepEqual(mapAt(outline, 7, 15)?.path, ['workers', 'api', 'ready']);
    assert.deepEqual(mapAt(outline, 5, 6)?.path, ['workers', 'api']);
    assert.deepEqual(mapAt(outline, 0, 2)?.path, []);
  });
});

describe('environment variables no process can be started with', () => {
  it('are errors where they come from: a NUL byte, a variable of 128 KiB or more (in an env file or env)', () => {
    const dir = join(scratch, 'env-limits');
    mkdirSync(dir);
    writeFileSync(join(dir, 'big.env'), `BIG=${'x'.repeat(200_000)}\nOK=1\n`);
    writeFileSync(join(dir, 'nul.env'), 'NUL=a\0b\n');
    const text = 'version: 1\nworkers:\n  a:\n    command: sleep 1\n    env_file: [big.env, nul.env]\n    env: { Z: "a\\0b" }\n';
    const { config, diagnostics } = checkConfigText(text, join(dir, 'steward.yaml'), { commandExists: () => true });
    assert.equal(config, undefined);
    assert.deepEqual(diagnostics.map((d) => [d.range.start.line, d.range.start.character, d.code, d.message]), [
      [4, 15, 'invalid-env-value', `env file 'big.env' (${join(dir, 'big.env')}): BIG is 200004 bytes; a program cannot be started with a variable of 128 KiB or more`],
      [4, 24, 'invalid-env-value', `env file 'nul.env' (${join(dir, 'nul.env')}): the value of NUL contains a NUL byte, which no environment can hold`],
      [5, 14, 'invalid-env-value', 'the value of Z contains a NUL byte, which no environment can hold'],
    ]);
  });
});
