import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { checkConfigText } from '../../supervisor/config/check';
import { importWorkspace } from '../../supervisor/import/importWorkspace';
import { ImportError } from '../../supervisor/import/model';

const FIXTURES = resolve(__dirname, '../fixtures/import');
const everyProgramExists = () => true;

/** Imports a fixture folder and runs the real config checker over the generated text, as if written there. */
function importFixture(name: string) {
  const dir = join(FIXTURES, name);
  const imported = importWorkspace(dir);
  const checked = checkConfigText(imported.yaml, join(dir, 'steward.yaml'), { commandExists: everyProgramExists });
  return { dir, imported, checked };
}

function importFailure(dir: string, from?: string): string {
  try {
    importWorkspace(dir, { from });
  } catch (error) {
    if (error instanceof ImportError) return error.describe();
    throw error;
  }
  return assert.fail('expected an ImportError');
}

describe('importing the sample workspaces', () => {
  const cases = [
    { fixture: 'concurrently', kind: 'package.json', workers: ['api', 'web', 'types'] },
    { fixture: 'run-p', kind: 'package.json', workers: ['watch-css', 'watch-js', 'watch-site'] },
    { fixture: 'procfile', kind: 'procfile', workers: ['web', 'worker', 'css', 'js'] },
    { fixture: 'process-compose', kind: 'process-compose', workers: ['postgres', 'migrate', 'api', 'web'] },
    { fixture: 'pm2', kind: 'pm2', workers: ['api', 'queue-worker', 'frontend', 'scheduler'] },
  ];
  for (const { fixture, kind, workers } of cases) {
    it(`${fixture}: writes exactly the expected steward.yaml, which the config checker accepts without a warning`, () => {
      const { dir, imported, checked } = importFixture(fixture);
      assert.equal(imported.result.kind, kind);
      assert.equal(imported.yaml, readFileSync(join(dir, 'expected.steward.yaml'), 'utf8'));
      assert.deepEqual(checked.diagnostics, []);
      assert.deepEqual(checked.config?.workers.map((worker) => worker.name), workers);
    });
  }

  it('process-compose: dependencies, readiness, restart and stop reach the validated model', () => {
    const { dir, checked } = importFixture('process-compose');
    const [postgres, migrate, api, web] = checked.config?.workers ?? [];
    assert.deepEqual(postgres.ready, { kind: 'exec', command: 'pg_isready -h 127.0.0.1 -p 5433', timeoutMs: 22_000, intervalMs: 1_000 });
    assert.deepEqual(postgres.stop, { signal: 'SIGINT', timeoutMs: 10_000 });
    assert.equal(migrate.cwd, join(dir, 'services/api'));
    assert.deepEqual(api.dependsOn, [{ name: 'postgres', condition: 'ready' }, { name: 'migrate', condition: 'completed' }]);
    assert.deepEqual(api.ready, { kind: 'http', url: 'http://127.0.0.1:3000/health', timeoutMs: 30_000, intervalMs: 100 });
    assert.equal(api.env.DATABASE_URL, 'postgres://localhost:5433/app?sslmode=disable');
    assert.deepEqual([postgres.restart, api.restart, web.restart], ['always', 'on-failure', 'never']);
  });

  it('pm2: literal values translate, computed ones are left out and reported', () => {
    const { checked, imported } = importFixture('pm2');
    const [api, worker, frontend] = checked.config?.workers ?? [];
    assert.equal(api.command, 'node --enable-source-maps src/server.js');
    assert.deepEqual(api.env, { PORT: '4000', NODE_ENV: 'development' });
    assert.equal(api.replicas, 2);
    assert.equal(worker.restart, 'never');
    assert.deepEqual(frontend.env, {});
    assert.ok(imported.result.notes.some((note) => note.line === 36 && note.message.startsWith("cwd: `path.resolve(__dirname, 'frontend')` (a function call)")));
  });
});

describe('malformed sources', () => {
  const cases = [
    ['package-json', 'package.json:6:3: invalid JSON: Expected double-quoted property name'],
    ['process-compose', 'process-compose.yaml:4:14: invalid YAML: Nested mappings are not allowed in compact mappings'],
    ['pm2-call', "ecosystem.config.js:3: module.exports must be an object literal with an 'apps' list, found `defineApps(['api', 'web'])` (a function call)"],
    ['pm2-syntax', 'ecosystem.config.js:6:7: invalid JavaScript: Unexpected token'],
    ['procfile', "Procfile:2: no valid 'name: command' line (line 2: not a 'name: command' line: web = node server.js; line 3: not a 'name: command' line: worker node worker.js)"],
  ];
  for (const [fixture, expected] of cases) {
    it(`${fixture}: fails with the file, line and reason`, () => {
      assert.equal(importFailure(join(FIXTURES, 'malformed', fixture)), expected);
    });
  }
});

describe('finding the source', () => {
  const dir = mkdtempSync(join(tmpdir(), 'steward-import-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, text: string) => writeFileSync(join(dir, name), text);

  it('prefers process-compose, then Procfile, then the PM2 ecosystem, then package.json', () => {
    write('package.json', JSON.stringify({ scripts: { dev: 'vite' } }));
    assert.equal(importWorkspace(dir).result.kind, 'package.json');
    write('ecosystem.config.js', `module.exports = { apps: [{ name: 'a', script: 'a.js' }] };`);
    assert.equal(importWorkspace(dir).result.kind, 'pm2');
    write('Procfile', 'web: node web.js\n');
    assert.equal(importWorkspace(dir).result.kind, 'procfile');
    write('process-compose.yml', 'processes:\n  p: { command: x }\n');
    assert.equal(importWorkspace(dir).result.kind, 'process-compose');
  });

  it('reads a PM2 ecosystem.json as it reads ecosystem.config.js, with its lines; a JSON mistake is located', () => {
    write('ecosystem.json', '{\n  "apps": [\n    { "name": "api", "script": "sleep", "args": "100", "env": { "A": "1" } }\n  ]\n}\n');
    const { result } = importWorkspace(dir, { from: 'ecosystem.json' });
    assert.deepEqual(result.workers.map(({ name, command, env, line }) => ({ name, command, env, line })), [{ name: 'api', command: 'sleep 100', env: { A: '1' }, line: 3 }]);
    write('ecosystem.json', '{\n  "apps": []\n} junk\n');
    assert.throws(() => importWorkspace(dir, { from: 'ecosystem.json' }), (error: unknown) => error instanceof ImportError && /invalid JSON/.test(error.message) && error.line === 3);
    rmSync(join(dir, 'ecosystem.json'));
  });

  it('takes --from as a kind or as a path, case-insensitively', () => {
    assert.equal(importWorkspace(dir, { from: 'package.json' }).result.kind, 'package.json');
    assert.equal(importWorkspace(dir, { from: 'Procfile' }).result.kind, 'procfile');
    assert.equal(importWorkspace(dir, { from: 'PM2' }).result.kind, 'pm2');
    assert.equal(importWorkspace(dir, { from: './process-compose.yml' }).result.kind, 'process-compose');
  });

  it('says which other sources it found and left alone, and when --scripts does not apply', () => {
    const messages = importWorkspace(dir, { scripts: ['dev'] }).result.notes.map((note) => note.message);
    assert.ok(messages.some((message) => /^also found .*package\.json.*: not imported \(steward init --from picks another\)$/.test(message)), messages.join(' / '));
    assert.ok(messages.some((message) => message.startsWith('--scripts applies to package.json; ignored')), messages.join(' / '));
    assert.ok(!importWorkspace(dir, { from: 'Procfile' }).result.notes.some((note) => note.message.startsWith('also found')), 'not when --from chose');
  });

  it('rebases cwd when the source is in another directory than steward.yaml', () => {
    mkdirSync(join(dir, 'deploy'));
    write('deploy/Procfile.local', 'web: node web.js\n');
    const { result } = importWorkspace(dir, { from: 'deploy/Procfile.local' });
    assert.equal(result.workers[0].cwd, 'deploy');
    cpSync(join(FIXTURES, 'process-compose'), join(dir, 'pc'), { recursive: true });
    const compose = importWorkspace(dir, { from: 'pc/process-compose.yaml' });
    assert.deepEqual(compose.result.workers.map((worker) => worker.cwd), ['pc', 'pc/services/api', 'pc/services/api', 'pc/services/web']);
  });

  it('gives every worker the .env beside a Procfile, as foreman loads it, and says so; its values stay in the .env', () => {
    write('.env', 'SECRET=x\n');
    const { result, yaml } = importWorkspace(dir, { from: 'Procfile' });
    assert.deepEqual(result.notes.filter((note) => note.file === '.env'), [{ file: '.env', message: 'foreman and honcho load this file: every worker reads it too (env_file: .env; its own env wins)' }]);
    assert.ok(result.workers.every((worker) => worker.envFile === '.env'));
    assert.match(yaml, /^ {4}env_file: \.env$/m);
    assert.doesNotMatch(yaml, /SECRET/);
    mkdirSync(join(dir, 'ops'));
    write('ops/Procfile', 'web: node web.js\n');
    write('ops/.env', 'SECRET=y\n');
    assert.equal(importWorkspace(dir, { from: 'ops/Procfile' }).result.workers[0].envFile, 'ops/.env', 'relative to steward.yaml');
    rmSync(join(dir, '.env'));
    rmSync(join(dir, 'ops'), { recursive: true });
  });

  it("numbers the Procfile's PORTs from the .env's PORT, as foreman does", () => {
    write('.env', 'PORT=3000\n');
    const { result } = importWorkspace(dir, { from: 'Procfile' });
    assert.deepEqual(result.workers.map((worker) => worker.env?.PORT), result.workers.map((_, i) => String(3000 + 100 * i)));
    assert.ok(result.notes.some((note) => note.message.startsWith('PORT set as foreman gives it to every process (3000, the .env\'s PORT, + 100 per process)')));
    rmSync(join(dir, '.env'));
  });

  it('leaves the .env beside a process-compose.yaml that disables loading it', () => {
    const pc = mkdtempSync(join(tmpdir(), 'steward-import-pc-'));
    try {
      writeFileSync(join(pc, 'process-compose.yaml'), 'is_dotenv_disabled: true\nprocesses:\n  api:\n    command: node api.js\n');
      writeFileSync(join(pc, '.env'), 'A=1\n');
      const { result } = importWorkspace(pc);
      assert.deepEqual([result.workers[0].envFile, result.notes.filter((note) => note.file === '.env' || note.message.includes('is_dotenv_disabled'))], [undefined, []]);
    } finally {
      rmSync(pc, { recursive: true, force: true });
    }
  });

  it('says what it looked for when there is nothing to import, or the --from kind is missing', () => {
    const empty = mkdtempSync(join(tmpdir(), 'steward-import-empty-'));
    try {
      assert.equal(importFailure(empty), `${empty}: nothing to import: found none of process-compose.yaml, process-compose.yml, Procfile.dev, Procfile, ecosystem.config.js, ecosystem.config.cjs, ecosystem.config.mjs, ecosystem.config.json, ecosystem.json, package.json`);
      assert.equal(importFailure(empty, 'pm2'), `${empty}: nothing to import: found none of ecosystem.config.js, ecosystem.config.cjs, ecosystem.config.mjs, ecosystem.config.json, ecosystem.json`);
      assert.match(importFailure(empty, 'compose.yaml'), /^compose\.yaml: unknown source 'compose\.yaml': use --from process-compose, Procfile, pm2 or package\.json/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
