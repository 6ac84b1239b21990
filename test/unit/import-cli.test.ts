/**
 * `steward init` through the built bundle (`npm run build` first), in
 * temporary workspaces: what it writes, what it refuses, its exit codes.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import type { InitReport } from '../../shared/protocol';
import { MARKER_VAR, assertNoLeaks, newMarker } from '../helpers/procs';

const ROOT = resolve(__dirname, '../..');
const BUNDLE = join(ROOT, 'dist/supervisor.js');
const FIXTURES = join(ROOT, 'test/fixtures/import');
const marker = newMarker('import-cli');
const workspaces: string[] = [];

after(async () => {
  for (const dir of workspaces) rmSync(dir, { recursive: true, force: true });
  await assertNoLeaks(marker);
});

/** A fresh copy of a fixture folder (or an empty folder), removed after the suite. */
function workspace(fixture?: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'steward-init-'));
  workspaces.push(dir);
  if (fixture) cpSync(join(FIXTURES, fixture), dir, { recursive: true });
  rmSync(join(dir, 'expected.steward.yaml'), { force: true });
  return dir;
}

/** Runs the real CLI with stdin not a terminal (so it never asks). */
function steward(args: string[], cwd: string, command = process.execPath, prefix = [BUNDLE]) {
  const run = spawnSync(command, [...prefix, ...args], { cwd, encoding: 'utf8', env: { ...process.env, [MARKER_VAR]: marker }, timeout: 30_000 });
  assert.equal(run.error, undefined);
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

const configOf = (dir: string) => join(dir, 'steward.yaml');
const expectedYaml = (fixture: string) => readFileSync(join(FIXTURES, fixture, 'expected.steward.yaml'), 'utf8');

describe('steward init (the built CLI)', { skip: !existsSync(BUNDLE) && 'run npm run build first' }, () => {
  it('writes steward.yaml in the current directory and says what it imported', () => {
    const dir = workspace('procfile');
    const run = steward(['init'], dir);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(readFileSync(configOf(dir), 'utf8'), expectedYaml('procfile'));
    assert.match(run.stdout, /^Imported 4 workers from Procfile: web, worker, css, js\n/);
    assert.match(run.stdout, /  Procfile:6: not a 'name: command' line, skipped: release bin\/rails db:migrate\n/);
    assert.match(run.stdout, /Wrote steward\.yaml\. Start the workers with `steward up`\.\n$/);
  });

  it('writes into the DIR it is given, and `steward check` accepts the result', () => {
    const dir = workspace('process-compose');
    assert.equal(steward(['init', dir, '--from', 'process-compose'], ROOT).code, 0);
    assert.equal(readFileSync(configOf(dir), 'utf8'), expectedYaml('process-compose'));
    const check = steward(['check'], dir);
    assert.equal(check.code, 0, check.stdout);
    assert.match(check.stdout, /steward\.yaml: valid, 4 workers/);
  });

  it('--config PATH writes that file, with worker directories relative to it', () => {
    const dir = workspace('process-compose');
    mkdirSync(join(dir, 'dev'));
    const run = steward(['init', '--config', 'dev/workers.yaml'], dir);
    assert.equal(run.code, 0, run.stderr);
    const yaml = readFileSync(join(dir, 'dev/workers.yaml'), 'utf8');
    assert.match(yaml, /  migrate:\n    command: npm run db:migrate\n    cwd: \.\.\/services\/api\n/);
    assert.equal(existsSync(configOf(dir)), false);
    assert.equal(steward(['check', 'dev/workers.yaml'], dir).code, 0);
  });

  it('never overwrites an existing steward.yaml without --force', () => {
    const dir = workspace('concurrently');
    writeFileSync(configOf(dir), 'version: 1\nworkers: {}\n');
    const refused = steward(['init'], dir);
    assert.equal(refused.code, 1);
    assert.equal(refused.stderr, `steward init: ${configOf(dir)}: already exists; use --force to overwrite it\nNothing was written.\n`);
    assert.equal(readFileSync(configOf(dir), 'utf8'), 'version: 1\nworkers: {}\n');
    const forced = steward(['init', '--force'], dir);
    assert.equal(forced.code, 0, forced.stderr);
    assert.equal(readFileSync(configOf(dir), 'utf8'), expectedYaml('concurrently'));
  });

  it('--dry-run prints the YAML on stdout and the report on stderr, writing nothing', () => {
    const dir = workspace('pm2');
    const run = steward(['init', '--dry-run'], dir);
    assert.equal(run.code, 0);
    assert.equal(run.stdout, expectedYaml('pm2'));
    assert.match(run.stderr, /Imported 4 workers from ecosystem\.config\.js: api, queue-worker, frontend, scheduler/);
    assert.match(run.stderr, /Dry run: steward\.yaml not written\./);
    assert.equal(existsSync(configOf(dir)), false);
  });

  it('--json reports workers, notes, checker findings and the YAML for programs', () => {
    const dir = workspace('run-p');
    const run = steward(['init', '--json', '--scripts', 'watch:css,watch:site'], dir);
    assert.equal(run.code, 0, run.stderr);
    const report = JSON.parse(run.stdout) as InitReport;
    assert.equal(report.ok, true);
    assert.deepEqual(report.source, { kind: 'package.json', file: join(dir, 'package.json') });
    assert.equal(report.config, configOf(dir));
    assert.equal(report.written, true);
    assert.deepEqual(report.workers, [
      { name: 'watch-css', command: 'npm run watch:css' },
      { name: 'watch-site', command: 'npm run watch:site' },
    ]);
    assert.deepEqual(report.notes, []);
    assert.equal(report.yaml, readFileSync(configOf(dir), 'utf8'));
  });

  it('reports a warning from the checker, such as a program not on PATH, without failing', () => {
    const dir = workspace();
    writeFileSync(join(dir, 'Procfile'), 'web: steward-no-such-program --serve\n');
    const run = steward(['init', '--json'], dir);
    const report = JSON.parse(run.stdout) as InitReport;
    assert.equal(run.code, 0);
    assert.deepEqual(report.diagnostics?.map(({ severity, message, line }) => ({ severity, message, line })), [
      { severity: 'warning', message: "program 'steward-no-such-program' of worker 'web' is not on PATH", line: 8 },
    ]);
  });

  it('writes a result the checker rejects (a working_dir that does not exist) for editing, but says so and exits 1', () => {
    const dir = workspace();
    writeFileSync(join(dir, 'process-compose.yaml'), 'version: "0.5"\nprocesses:\n  api:\n    command: sleep 1\n    working_dir: ./nope\n');
    const run = steward(['init'], dir);
    assert.equal(run.code, 1, run.stdout + run.stderr);
    assert.match(run.stdout, /steward\.yaml:\d+:\d+: error: .*nope/);
    assert.match(run.stdout, /Wrote steward\.yaml, but it has 1 error \(above\) to fix before `steward up`\./);
    assert.ok(existsSync(join(dir, 'steward.yaml')));
  });

  it('takes a --from path from the current directory, as --config', () => {
    const dir = workspace();
    mkdirSync(join(dir, 'app'));
    writeFileSync(join(dir, 'app', 'Procfile'), 'web: sleep 1\n');
    const run = steward(['init', 'app', '--from', 'app/Procfile', '--dry-run'], dir);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /command: sleep 1/);
  });

  it('fails on a malformed source with file and line, exit 1, and writes nothing', () => {
    for (const fixture of ['package-json', 'process-compose', 'pm2-call', 'pm2-syntax', 'procfile']) {
      const dir = workspace(join('malformed', fixture));
      const run = steward(['init'], dir);
      assert.equal(run.code, 1, fixture);
      assert.match(run.stderr, /^steward init: (package\.json|process-compose\.yaml|ecosystem\.config\.js|Procfile):\d+(:\d+)?: .+\nNothing was written\.\n$/);
      assert.equal(existsSync(configOf(dir)), false, fixture);
    }
  });

  it('--json on failure prints ok: false with the located error', () => {
    const dir = workspace(join('malformed', 'pm2-syntax'));
    const run = steward(['init', '--json'], dir);
    assert.equal(run.code, 1);
    assert.deepEqual(JSON.parse(run.stdout), {
      ok: false,
      error: { message: 'invalid JavaScript: Unexpected token', file: 'ecosystem.config.js', line: 6, column: 7 },
    });
  });

  it('fails with exit 1 in a folder with nothing to import, and exit 2 for a usage error', () => {
    const dir = workspace();
    assert.equal(steward(['init'], dir).code, 1);
    const usage = steward(['init', '--frm', 'pm2'], dir);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /^steward init: unknown option '--frm'\nusage: steward init/);
    assert.equal(steward(['init', '--scripts'], dir).code, 2);
  });

  it('on a terminal, asks which package.json scripts to import, preselecting the dev ones', { skip: !existsSync('/usr/bin/script') && 'needs script(1) for a pseudo-terminal' }, () => {
    const dir = workspace('concurrently');
    const run = spawnSync('script', ['-qec', `${process.execPath} ${BUNDLE} init`, '/dev/null'], {
      cwd: dir,
      input: 'dev:web, test:watch\n',
      encoding: 'utf8',
      env: { ...process.env, [MARKER_VAR]: marker },
      timeout: 30_000,
    });
    assert.equal(run.status, 0, run.stdout);
    assert.match(run.stdout, /  \* dev +concurrently -k -n api,web,types/);
    assert.match(run.stdout, /Scripts to run as workers, comma-separated \[dev\]: /);
    assert.match(readFileSync(configOf(dir), 'utf8'), /workers:\n  dev-web:\n    command: npm run dev:web\n  test-watch:\n    command: npm run test:watch\n$/);
  });
});
