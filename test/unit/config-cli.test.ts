/**
 * `steward check` through the real bundle (dist/supervisor.js, built by
 * `npm run build` first): exit codes, `file:line:col: severity: message`
 * lines, --json, --config, the upward lookup, and clear messages for
 * missing or unreadable files.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';

const ROOT = resolve(__dirname, '../..');
const BUNDLE = join(ROOT, 'dist/supervisor.js');
const BROKEN = join(ROOT, 'test/fixtures/config/broken');
const scratch = mkdtempSync(join(tmpdir(), 'steward-check-'));

function steward(args: string[], cwd = ROOT) {
  const result = spawnSync(process.execPath, [BUNDLE, ...args], { cwd, encoding: 'utf8', timeout: 20_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

before(() => {
  const build = spawnSync('npm', ['run', 'build'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(build.status, 0, `npm run build failed:\n${build.stdout}${build.stderr}`);
});
after(() => rmSync(scratch, { recursive: true, force: true }));

/** examples/broken: what the README shows. The first problem of each, as the CLI prints it. */
const EXAMPLES: Record<string, string> = {
  'bad-values.yaml': "4:3: error: missing required key 'command' in worker 'api' (is 'comand' on line 5 a typo?)",
  'dependency-cycle.yaml': '9:18: error: dependency cycle: api → web → api',
  'duplicate-port.yaml': "6:13: error: port 3000 would be declared 2 times: worker 'api' has 2 replicas and each replica declares every port in its list; declare ports only for a single instance (replicas can each pick their own, e.g. PORT=$((3130 + STEWARD_INSTANCE)))",
  'unknown-dependency.yaml': "8:18: error: worker 'api' depends on unknown worker 'dbb' (did you mean 'db'?)",
  'yaml-syntax.yaml': '7:3: error: yaml: flow sequence in block collection must be sufficiently indented and end with a ]',
};

describe('steward check on the broken examples', () => {
  it('has an expectation for every example', () => {
    assert.deepEqual(readdirSync(join(ROOT, 'examples/broken')).sort(), Object.keys(EXAMPLES).sort());
  });

  for (const [name, first] of Object.entries(EXAMPLES)) {
    it(`exits 1 on ${name} and prints the problem's line and column first`, () => {
      const { code, stdout, stderr } = steward(['check', `examples/broken/${name}`]);
      assert.equal(code, 1, stderr);
      assert.equal(stdout.split('\n')[0], `examples/broken/${name}:${first}`);
      assert.match(stdout, new RegExp(`^examples/broken/${name.replace('.', '\\.')}: invalid: \\d+ errors?, \\d+ warnings?$`, 'm'));
    });
  }
});

describe('steward check on the corpus', () => {
  const expectations = JSON.parse(readFileSync(join(BROKEN, 'expected.json'), 'utf8')) as Record<string, { at: string; severity: string; message: string; code: string }[]>;

  it('prints every expected problem of every broken config at its line and column', () => {
    for (const [name, expected] of Object.entries(expectations)) {
      const file = `test/fixtures/config/broken/${name}`;
      const { code, stdout } = steward(['check', file]);
      const hasError = expected.some((problem) => problem.severity === 'error');
      assert.equal(code, hasError ? 1 : 0, `${name}: exit code`);
      // PATH warnings depend on the machine (the unit corpus injects its PATH); everything else must be printed as is.
      for (const problem of expected.filter(({ code }) => code !== 'command-not-found')) {
        const message = problem.message.split('<dir>').join(BROKEN);
        const line = `${file}:${problem.at.split('-')[0]}: ${problem.severity}: ${message}`;
        assert.ok(stdout.split('\n').includes(line), `${name}: missing line\n${line}\nin\n${stdout}`);
      }
    }
  });
});

describe('steward check', () => {
  const valid = join(scratch, 'ws');
  before(() => {
    mkdirSync(join(valid, 'sub', 'deeper'), { recursive: true });
    writeFileSync(join(valid, 'steward.yaml'), 'version: 1\nworkers:\n  app:\n    command: sleep 1\n    restart: always\n    ready: { tcp: 3000 }\n');
  });

  it('exits 0 on the demo config', { skip: !existsSync(join(ROOT, 'examples/demo/steward.yaml')) && 'no demo config yet' }, () => {
    const { code, stdout } = steward(['check', 'examples/demo/steward.yaml']);
    assert.equal(code, 0, stdout);
    assert.match(stdout, /valid, \d+ workers?/);
  });

  it('finds steward.yaml upward from the current directory and exits 0 when it is valid', () => {
    const { code, stdout } = steward(['check'], join(valid, 'sub', 'deeper'));
    assert.equal(code, 0);
    assert.equal(stdout, `${join(valid, 'steward.yaml')}: valid, 1 worker\n`);
  });

  it('exits 0 with warnings only, and prints them', () => {
    writeFileSync(join(scratch, 'warn.yaml'), 'version: 1\nworkers:\n  app:\n    command: steward-no-such-program --serve\n');
    const { code, stdout } = steward(['check', '--config', join(scratch, 'warn.yaml')]);
    assert.equal(code, 0);
    assert.match(stdout, /warn\.yaml:4:14: warning: program 'steward-no-such-program' of worker 'app' is not on PATH\n.*valid, 1 worker \(1 warning\)\n$/);
  });

  it('rejects an unknown key (a typo must not run as the default) and accepts x- keys of your own', () => {
    writeFileSync(join(scratch, 'typo.yaml'), 'version: 1\nx-notes: anything\nworkers:\n  app:\n    command: sleep 1\n    restrat: always\n    x-owner: me\n');
    const { code, stdout } = steward(['check', '--config', join(scratch, 'typo.yaml')]);
    assert.equal(code, 1);
    assert.equal(stdout.trim().split('\n')[0], `${join(scratch, 'typo.yaml')}:6:5: error: unknown key 'restrat' in worker 'app' (did you mean 'restart'?)`.replace(`${process.cwd()}/`, ''));
    assert.doesNotMatch(stdout, /x-notes|x-owner/);
  });

  it('prints a JSON array of 1-based problems with --json', () => {
    const { code, stdout } = steward(['check', 'test/fixtures/config/broken/unknown-dependency.yaml', '--json']);
    assert.equal(code, 1);
    assert.deepEqual(JSON.parse(stdout), [{
      file: 'test/fixtures/config/broken/unknown-dependency.yaml', line: 7, column: 18, endLine: 7, endColumn: 21,
      severity: 'error', message: "worker 'api' depends on unknown worker 'dbb' (did you mean 'db'?)", code: 'unknown-dependency', suggestion: 'db',
    }]);
  });

  it('does not count a UTF-8 byte order mark as a column of line 1 (editors hide it)', () => {
    const bom = join(scratch, 'bom.yaml');
    writeFileSync(bom, '\ufeffversion: 2\nworkers:\n  api:\n    command: sleep 1000\n');
    const { code, stdout } = steward(['check', bom]);
    assert.equal(code, 1);
    assert.match(stdout.split('\n')[0], /bom\.yaml:1:10: error: /);
    const [problem] = JSON.parse(steward(['check', bom, '--json']).stdout) as { line: number; column: number; endColumn: number }[];
    assert.deepEqual([problem.line, problem.column, problem.endColumn], [1, 10, 11]);
  });

  it('says the config file is missing, without a stack trace, and exits 2', () => {
    const { code, stdout, stderr } = steward(['check', join(scratch, 'missing.yaml')]);
    assert.equal(code, 2);
    assert.equal(stdout, '');
    assert.equal(stderr, `steward: config file not found: ${join(scratch, 'missing.yaml')}\n`);
  });

  it('with --json, still prints JSON for a file it cannot read: one problem at 1:1', () => {
    const { code, stdout } = steward(['check', join(scratch, 'missing.yaml'), '--json']);
    assert.equal(code, 2);
    const [problem] = JSON.parse(stdout) as { line: number; column: number; severity: string; code: string; message: string }[];
    assert.deepEqual([problem.line, problem.column, problem.severity, problem.code], [1, 1, 'error', 'unreadable']);
    assert.match(problem.message, /config file not found/);
  });

  it('says the config file is a directory and exits 2', () => {
    const { code, stderr } = steward(['check', scratch]);
    assert.equal(code, 2);
    assert.equal(stderr, `steward: config file is a directory: ${scratch}\n`);
  });

  it('exits 2 when no steward.yaml is found upward', () => {
    const lonely = mkdtempSync(join(tmpdir(), 'steward-none-'));
    try {
      const { code, stderr } = steward(['check'], lonely);
      assert.equal(code, 2);
      assert.match(stderr, /^steward check: no steward\.yaml found in .* or any parent directory\n/);
    } finally {
      rmSync(lonely, { recursive: true, force: true });
    }
  });

  it('exits 2 on a usage error', () => {
    assert.equal(steward(['check', '--frobnicate']).code, 2);
    assert.equal(steward(['check', 'a.yaml', 'b.yaml']).code, 2);
    assert.match(steward(['check', '--config']).stderr, /--config needs a path/);
  });
});
