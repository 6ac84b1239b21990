/**
 * The corpus: every broken config under test/fixtures/config/broken has its
 * exact diagnostics (1-based range, severity, code, message) in
 * expected.json; every config under valid/ checks clean into a model.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { checkConfigText } from '../../supervisor/config/check';
import type { ConfigDiagnostic } from '../../supervisor/config/model';

const FIXTURES = resolve(__dirname, '../fixtures/config');
const BROKEN = join(FIXTURES, 'broken');
const VALID = join(FIXTURES, 'valid');
/** The programs "on PATH" for these tests: the PATH lookup is the one environment-dependent check. */
const PROGRAMS = new Set(['node', 'npm', 'sleep', 'postgres', 'test']);
const commandExists = (program: string) => PROGRAMS.has(program);

interface Expected {
  at: string;
  severity: string;
  code: string;
  message: string;
}

const expectations = JSON.parse(readFileSync(join(BROKEN, 'expected.json'), 'utf8')) as Record<string, Expected[]>;
const yamlFiles = (dir: string) => readdirSync(dir).filter((name) => name.endsWith('.yaml')).sort();

function check(dir: string, name: string) {
  const file = join(dir, name);
  return checkConfigText(readFileSync(file, 'utf8'), file, { commandExists });
}

function asExpected(diagnostic: ConfigDiagnostic): Expected {
  const { start, end } = diagnostic.range;
  return {
    at: `${start.line + 1}:${start.character + 1}-${end.line + 1}:${end.character + 1}`,
    severity: diagnostic.severity,
    code: diagnostic.code,
    message: diagnostic.message.split(BROKEN).join('<dir>'),
  };
}

describe('the broken config corpus', () => {
  it('has at least 30 broken configs, each with an expectation', () => {
    assert.ok(yamlFiles(BROKEN).length >= 30);
    assert.deepEqual(Object.keys(expectations).sort(), yamlFiles(BROKEN));
  });

  for (const name of yamlFiles(BROKEN)) {
    it(`reports exactly the expected problems in ${name}`, () => {
      const parsed = check(BROKEN, name);
      assert.ok(parsed.diagnostics.length > 0, 'a broken config has at least one diagnostic');
      assert.deepEqual(parsed.diagnostics.map(asExpected), expectations[name]);
      const hasError = parsed.diagnostics.some((diagnostic) => diagnostic.severity === 'error');
      assert.equal(parsed.config === undefined, hasError, 'the model is present iff there is no error');
    });
  }
});

describe('the valid configs', () => {
  for (const name of yamlFiles(VALID)) {
    it(`checks ${name} clean into a model`, () => {
      const parsed = check(VALID, name);
      assert.deepEqual(parsed.diagnostics, []);
      assert.ok(parsed.config);
      assert.equal(parsed.config.file, join(VALID, name));
    });
  }

  it('normalises every field of full.yaml and fills in the defaults', () => {
    const [db, api, web, migrate, queue] = check(VALID, 'full.yaml').config!.workers;
    const app = join(FIXTURES, 'app');
    assert.deepEqual(db, {
      name: 'db', command: 'postgres -D data', cwd: app, env: {}, ports: [5432], dependsOn: [],
      ready: { kind: 'tcp', host: '127.0.0.1', port: 5432, timeoutMs: 20_000, intervalMs: 250 },
      restart: 'always', stop: { signal: 'SIGINT', timeoutMs: 90_000 }, replicas: 1, line: 4, column: 3,
      portSites: [{ line: 7, column: 13, endLine: 7, endColumn: 17 }],
    });
    assert.deepEqual(api.env, { NODE_ENV: 'development', PORT: '3000', DEBUG: 'true' });
    assert.deepEqual(api.dependsOn, [{ name: 'db', condition: 'ready' }]);
    assert.deepEqual(api.ready, { kind: 'http', url: 'http://127.0.0.1:3000/health', timeoutMs: 10_000, intervalMs: 100 });
    assert.deepEqual(web.ready, { kind: 'log', pattern: 'ready in \\d+ ?ms', timeoutMs: 30_000 });
    assert.deepEqual(web.dependsOn, [{ name: 'api', condition: 'started' }]);
    assert.equal(web.cwd, VALID);
    assert.deepEqual(web.stop, { signal: 'SIGTERM', timeoutMs: 5_000 });
    assert.equal(web.restart, 'on-failure');
    assert.deepEqual([queue.replicas, queue.restart, queue.ready?.kind], [3, 'never', 'exec']);
    assert.deepEqual([migrate.restart, queue.dependsOn], ['never', [{ name: 'migrate', condition: 'completed' }]]);
  });

  it('adds the variables of env files: a later file over an earlier one, the worker\'s env over both; keeps the texts read', () => {
    const config = check(VALID, 'env-files.yaml').config!;
    const [api, web] = config.workers;
    const shared = { DATABASE_URL: 'postgres://127.0.0.1:5432/dev', GREETING: 'hello # not a comment', EMPTY: '' };
    assert.deepEqual(api.env, { ...shared, PORT: '3001' });
    assert.deepEqual(web.env, { ...shared, PORT: '8080', MULTILINE: 'line one\nline two' });
    assert.deepEqual(Object.keys(config.envFiles ?? {}), [join(VALID, 'shared.env'), join(VALID, 'web.env')]);
    assert.equal(config.envFiles?.[join(VALID, 'web.env')], readFileSync(join(VALID, 'web.env'), 'utf8'));
  });

  it('follows YAML anchors and aliases', () => {
    const [, two] = check(VALID, 'anchors.yaml').config!.workers;
    assert.deepEqual(two.env, { LOG_LEVEL: 'debug' });
    assert.deepEqual(two.stop, { signal: 'SIGINT', timeoutMs: 2_000 });
  });
});
