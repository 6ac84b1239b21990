import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ImportError } from '../../supervisor/import/model';
import { importPm2 } from '../../supervisor/import/pm2';

const noFiles = () => false;
const ecosystem = (apps: string) => `module.exports = {\n  apps: [\n${apps}\n  ],\n};\n`;
const workersOf = (text: string, isFile: (script: string, cwd: string | undefined) => boolean = noFiles) =>
  importPm2(text, 'ecosystem.config.js', isFile).workers;
const notesOf = (text: string) => importPm2(text, 'ecosystem.config.js', noFiles).notes.map((note) => `${note.line}: ${note.message}`);
const failure = (text: string) => {
  try {
    importPm2(text, 'ecosystem.config.js', noFiles);
  } catch (error) {
    if (error instanceof ImportError) return error.describe();
    throw error;
  }
  assert.fail('expected an ImportError');
};

describe('importing a PM2 ecosystem file', () => {
  it('maps literal name, script, args, cwd, env, instances, autorestart and kill_timeout', () => {
    const [worker] = workersOf(ecosystem(`    { name: 'api', script: 'server.js', args: ['--port', '4000'], cwd: 'api', env: { PORT: 4000, DEBUG: true },\n      instances: 2, autorestart: false, kill_timeout: 1600 },`));
    assert.deepEqual(worker, {
      name: 'api',
      command: 'node server.js --port 4000',
      cwd: 'api',
      env: { PORT: '4000', DEBUG: 'true' },
      replicas: 2,
      restart: 'never',
      stop: { timeout: '1600ms' },
      line: 3,
    });
  });

  it('builds the command as PM2 would: by extension, interpreter, PATH program, or a command line in script', () => {
    const commands = workersOf(
      ecosystem(
        [
          `    { name: 'a', script: 'jobs/cron.py' },`,
          `    { name: 'b', script: 'start.sh', args: 'fast' },`,
          `    { name: 'c', script: 'npm', args: 'run dev' },`,
          `    { name: 'd', script: 'bin/www' },`,
          `    { name: 'e', script: 'app.js', interpreter: 'bun', interpreter_args: ['--smol'] },`,
          `    { name: 'f', script: 'yarn start --host 0.0.0.0' },`,
          `    { name: 'g', script: 'worker.js', args: ['--name', "it's a b"] },`,
        ].join('\n'),
      ),
      (script) => script === 'bin/www',
    ).map((worker) => worker.command);
    assert.deepEqual(commands, [
      'python jobs/cron.py',
      'bash start.sh fast',
      'npm run dev',
      'node bin/www',
      'bun --smol app.js',
      'yarn start --host 0.0.0.0',
      `node worker.js --name 'it'\\''s a b'`,
    ]);
  });

  it('reports a computed value with its line and source text, and imports the rest of the app', () => {
    const text = `const path = require('path');\nconst base = { A: '1' };\n${ecosystem(`    {\n      name: 'web',\n      script: 'npm',\n      args: 'start',\n      cwd: path.join(__dirname, 'web'),\n      env: { ...base, PORT: process.env.PORT || 3000, NODE_ENV: 'development' },\n    },`)}`;
    assert.deepEqual(workersOf(text), [{ name: 'web', command: 'npm start', line: 5, restart: 'always', env: { NODE_ENV: 'development' } }]);
    assert.deepEqual(notesOf(text), [
      "9: cwd: `path.join(__dirname, 'web')` (a function call) is computed when PM2 runs the file; not translated",
      '10: env: `...base` (a spread) is computed when PM2 runs the file; not translated',
      '10: env: PORT: `process.env.PORT || 3000` (an expression) is computed when PM2 runs the file; not translated',
    ]);
  });

  it('takes a number as args as one word (args: 100)', () => {
    assert.equal(workersOf(ecosystem(`    { name: 's', script: 'sleep', args: 100 },`))[0].command, 'sleep 100');
  });

  it('skips an app whose script is not a literal, saying where', () => {
    const text = ecosystem(`    { name: 'x', script: scriptFor('x') },\n    { name: 'y', script: 'y.js' },`);
    assert.deepEqual(workersOf(text).map((worker) => worker.name), ['y']);
    assert.deepEqual(notesOf(text), ["3: apps[0] has a 'script' that is not a literal string, found `scriptFor('x')` (a function call), skipped"]);
  });

  it('reports instances: "max" and other keys it cannot translate', () => {
    const text = ecosystem(`    { name: 'w', script: 'w.js', instances: 'max', exec_mode: 'cluster', watch: true, env_production: { NODE_ENV: 'production' } },`);
    assert.deepEqual(notesOf(text), [
      '3: instances: max (one per CPU) is not translated; set replicas',
      "3: exec_mode: cluster mode shares one port between instances; steward's replicas are separate processes",
      '3: watch: not translated',
      '3: env_production: per-environment variables are not translated (steward has one env per worker)',
    ]);
  });

  it('follows `module.exports = config` to a top-level const, and reads `export default` too', () => {
    const viaConst = `const config = { apps: [{ name: 'a', script: 'a.js' }] };\nmodule.exports = config;\n`;
    assert.equal(workersOf(viaConst)[0].command, 'node a.js');
    const esm = `export default { apps: [{ name: 'b', script: 'b.mjs' }] };\n`;
    assert.equal(importPm2(esm, 'ecosystem.config.mjs', noFiles).workers[0].command, 'node b.mjs');
  });

  it('never runs the file: code in it has no effect', () => {
    const dir = mkdtempSync(join(tmpdir(), 'steward-pm2-'));
    const marker = join(dir, 'ran');
    try {
      const text = `require('fs').writeFileSync(${JSON.stringify(marker)}, 'x');\nprocess.exit(3);\nmodule.exports = { apps: [{ name: 'a', script: 'a.js', env: { X: require('fs').writeFileSync(${JSON.stringify(marker)}, 'y') } }] };\n`;
      assert.equal(workersOf(text).length, 1);
      assert.equal(existsSync(marker), false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects a file that does not export an object literal with an apps array, naming the line', () => {
    assert.equal(failure(`const apps = load();\nmodule.exports = load();\n`), 'ecosystem.config.js:2: module.exports must be an object literal with an \'apps\' list, found `load()` (a function call)');
    assert.equal(failure(`module.exports = [{ script: 'a.js' }];\n`), "ecosystem.config.js:1: module.exports must be an object literal with an 'apps' list, found an array");
    assert.equal(failure(`module.exports = {\n  apps: appList,\n};\n`), "ecosystem.config.js:2: 'apps' must be an array literal of app objects, found `appList` (a variable)");
    assert.equal(failure(`const x = 1;\n`), 'ecosystem.config.js: no `module.exports = { apps: [...] }` found');
  });

  it('reports a syntax error with its line and column', () => {
    assert.equal(failure(`module.exports = {\n  apps: [\n    { name: 'a' script: 'a.js' },\n  ],\n};\n`), 'ecosystem.config.js:3:17: invalid JavaScript: Unexpected token');
  });
});
