import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ImportError } from '../../supervisor/import/model';
import { defaultScripts, importPackageJson } from '../../supervisor/import/packageJson';
import { splitParallelScript } from '../../supervisor/import/parallelScript';
import { MARKER_VAR, assertNoLeaks, newMarker } from '../helpers/procs';

const packageJson = (scripts: Record<string, string>) => JSON.stringify({ name: 'app', scripts }, null, 2);
const workersOf = (scripts: Record<string, string>, chosen?: string[]) =>
  importPackageJson(packageJson(scripts), 'package.json', chosen).workers.map(({ name, command }) => ({ name, command }));

describe('choosing package.json scripts without being told', () => {
  it('picks dev, serve and watch scripts and leaves build, test and lint alone', () => {
    const scripts = { build: 'tsc', dev: 'vite', serve: 'http-server dist', 'watch:css': 'sass --watch a:b', test: 'vitest', lint: 'eslint .' };
    assert.deepEqual(defaultScripts(scripts), ['dev', 'serve', 'watch:css']);
  });

  it('skips start when there is a dev script, since start is then the production server', () => {
    assert.deepEqual(defaultScripts({ dev: 'nodemon src/index.js', start: 'node src/index.js' }), ['dev']);
    assert.deepEqual(defaultScripts({ start: 'react-scripts start', build: 'react-scripts build' }), ['start']);
  });

  it('skips lifecycle hooks, watching tests and production variants', () => {
    const scripts = { predev: 'node check.js', dev: 'vite', postdev: 'echo bye', 'test:watch': 'vitest', 'start:prod': 'node dist' };
    assert.deepEqual(defaultScripts(scripts), ['dev']);
  });

  it('skips scripts that a picked script already runs', () => {
    const scripts = { dev: 'concurrently "npm:dev:api" "npm:dev:web"', 'dev:api': 'tsx watch api.ts', 'dev:web': 'vite' };
    assert.deepEqual(defaultScripts(scripts), ['dev']);
    assert.deepEqual(defaultScripts({ dev: 'npm run serve', serve: 'vite' }), ['dev']);
    // yarn, pnpm and bun run a script without `run`.
    assert.deepEqual(defaultScripts({ dev: 'yarn dev:api & pnpm dev:web', 'dev:api': 'tsx watch api.ts', 'dev:web': 'vite' }), ['dev']);
  });
});

describe('a script that runs concurrently', () => {
  const scripts = { api: 'node api.js', web: 'vite', 'watch-js': 'esbuild --watch', 'watch-css': 'sass --watch', 'watch-fix': 'x' };

  it('runs `yarn web` / `pnpm api` as the scripts they name, and `yarn install` as the command it is', () => {
    const split = splitParallelScript('concurrently "yarn web" "pnpm api" "yarn install"', scripts);
    assert.deepEqual(split?.parts, [
      { name: 'web', command: 'yarn web' },
      { name: 'api', command: 'pnpm api' },
      { name: 'yarn', command: 'yarn install' },
    ]);
  });

  it('becomes one part per command, keeping the -n names', () => {
    const split = splitParallelScript('concurrently -n api,web "npm:api" "npm:web"', scripts);
    assert.deepEqual(split?.parts, [
      { name: 'api', command: 'npm run api' },
      { name: 'web', command: 'npm run web' },
    ]);
  });

  it('reads --names=…, a custom --name-separator, and quoted plain commands with their arguments', () => {
    const split = splitParallelScript(`concurrently --names=server/types --name-separator / 'node api.js --port 3000' "tsc -w"`, scripts);
    assert.deepEqual(split?.parts, [
      { name: 'server', command: 'node api.js --port 3000' },
      { name: 'types', command: 'tsc -w' },
    ]);
  });

  it('skips the values of display options such as -c and -p, and names unnamed commands after the script or program', () => {
    const split = splitParallelScript('concurrently -c "bgBlue.bold,magenta" -p "[{name}]" --kill-others "yarn:web" "node ./bin/worker.js"', scripts);
    assert.deepEqual(split?.parts, [
      { name: 'web', command: 'yarn run web' },
      { name: 'node', command: 'node ./bin/worker.js' },
    ]);
    assert.deepEqual(split?.notes, ['concurrently --kill-others: steward keeps the other workers running when one exits']);
  });

  it('expands npm:watch-* to every matching script, named by the wildcard part, honouring (!omissions)', () => {
    assert.deepEqual(splitParallelScript('concurrently "npm:watch-*(!fix)"', scripts)?.parts, [
      { name: 'js', command: 'npm run watch-js' },
      { name: 'css', command: 'npm run watch-css' },
    ]);
    assert.deepEqual(splitParallelScript('concurrently -n w: npm:watch-js* "pnpm:api -- --inspect"', scripts)?.parts, [
      { name: 'w:', command: 'npm run watch-js' },
      { name: 'api', command: 'pnpm run api -- --inspect' },
    ]);
  });

  it('is found behind npx, cross-env and variable assignments, whose variables go to every part', () => {
    const split = splitParallelScript('cross-env NODE_ENV=development npx concurrently "npm:api" "npm:web"', scripts);
    assert.deepEqual(split?.env, { NODE_ENV: 'development' });
    assert.equal(split?.parts.length, 2);
  });

  it('is not split when the line has shell operators, as the parts would lose what runs around them', () => {
    assert.equal(splitParallelScript('npm run build && concurrently "npm:api" "npm:web"', scripts), undefined);
    assert.equal(splitParallelScript('concurrently "npm:api" "npm:web" > log.txt', scripts), undefined);
  });
});

describe('a script that runs npm-run-all in parallel', () => {
  const scripts = { 'watch:css': 'sass', 'watch:js': 'esbuild', 'watch:js:worker': 'esbuild w', lint: 'eslint' };

  it('splits run-p with npm-run-all globs (* is one : segment, ** several)', () => {
    assert.deepEqual(splitParallelScript('run-p watch:*', scripts)?.parts.map((part) => part.name), ['watch:css', 'watch:js']);
    assert.deepEqual(splitParallelScript('run-p -l "watch:**"', scripts)?.parts.map((part) => part.name), ['watch:css', 'watch:js', 'watch:js:worker']);
  });

  it('splits npm-run-all --parallel but not sequential runs', () => {
    assert.equal(splitParallelScript('npm-run-all --parallel watch:css lint', scripts)?.parts.length, 2);
    assert.equal(splitParallelScript('npm-run-all lint --parallel watch:*', scripts), undefined);
    assert.equal(splitParallelScript('run-s watch:*', scripts), undefined);
  });
});

describe('importing package.json', () => {
  it('turns a plain script into `npm run <script>` and a concurrently script into its parts, without duplicates', () => {
    const scripts = { dev: 'concurrently -n api,web "npm:api" "npm:web"', api: 'node api.js', web: 'vite', 'dev:docs': 'vitepress dev' };
    assert.deepEqual(workersOf(scripts, ['dev', 'api', 'dev:docs']), [
      { name: 'api', command: 'npm run api' },
      { name: 'web', command: 'npm run web' },
      { name: 'dev-docs', command: 'npm run dev:docs' },
    ]);
  });

  it('runs a part that names a project tool through `npm exec -c`, which finds it in node_modules/.bin as npm run would', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'steward-bins-'));
    const marker = newMarker('package-bins');
    try {
      mkdirSync(join(dir, 'node_modules/.bin'), { recursive: true });
      writeFileSync(join(dir, 'node_modules/.bin/devtool'), '#!/bin/sh\necho "devtool $*"\n', { mode: 0o755 });
      writeFileSync(join(dir, 'package.json'), packageJson({ dev: 'concurrently "devtool --watch \'a b\'" "node server.js"' }));
      const [tool, server] = workersOf({ dev: 'concurrently "devtool --watch \'a b\'" "node server.js"' });
      assert.deepEqual([tool.command, server.command], [`npm exec -c 'devtool --watch '\\''a b'\\'''`, 'node server.js']);
      const run = spawnSync('sh', ['-c', tool.command], { cwd: dir, encoding: 'utf8', env: { ...process.env, [MARKER_VAR]: marker } });
      assert.equal(run.stdout, 'devtool --watch a b\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await assertNoLeaks(marker);
    }
  });

  it('imports exactly the scripts named with --scripts', () => {
    assert.deepEqual(workersOf({ dev: 'vite', storybook: 'storybook dev -p 6006' }, ['storybook']), [
      { name: 'storybook', command: 'npm run storybook' },
    ]);
  });

  it('says when a worker name is taken and the next script gets another', () => {
    const result = importPackageJson(packageJson({ 'dev:api': 'x', 'dev-api': 'y' }), 'package.json', ['dev:api', 'dev-api']);
    assert.deepEqual(result.workers.map((worker) => worker.name), ['dev-api', 'dev-api-2']);
    assert.deepEqual(result.notes.map((note) => note.message), ["'dev-api' is taken by another worker: named 'dev-api-2'"]);
  });

  it('rejects a --scripts name that package.json does not have, listing the scripts it has', () => {
    assert.throws(() => workersOf({ dev: 'vite', build: 'vite build' }, ['serve']), {
      message: "no script named 'serve' (scripts: dev, build)",
    });
  });

  it('refuses to guess when no script looks long-running', () => {
    assert.throws(() => workersOf({ build: 'tsc', test: 'vitest run' }), /no script looks like a long-running dev process; name them with --scripts \(scripts: build, test\)/);
  });

  it('reports invalid JSON with the line and column of the problem', () => {
    const text = '{\n  "scripts": {\n    "dev": "vite",\n  }\n}\n';
    assert.throws(
      () => importPackageJson(text, 'package.json'),
      (error: unknown) => error instanceof ImportError && error.line === 4 && error.column === 3 && /^invalid JSON/.test(error.message),
    );
  });
});
