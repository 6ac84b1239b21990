/**
 * `--help` on every command prints that command's usage on stdout and
 * exits 0; `steward --help` lists every command with its summary in one
 * aligned column.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, test } from 'node:test';
import { cli, withWorkspace } from '../helpers/master';

const COMMANDS = ['up', 'reload', 'status', 'logs', 'start', 'stop', 'restart', 'down', 'lsp', 'check', 'init'];

describe('help', () => {
  test('every command answers --help and -h with its own usage and exit 0', () =>
    withWorkspace('help', 'version: 1\n', async (ws) => {
      for (const command of COMMANDS) {
        for (const flag of ['--help', '-h']) {
          const result = await cli(ws, [command, flag]);
          assert.equal(result.code, 0, `${command} ${flag}: ${result.stderr}`);
          assert.equal(result.stderr, '');
          assert.match(result.stdout, new RegExp(`^usage: steward ${command} `), `${command} ${flag}`);
        }
        const asked = await cli(ws, ['help', command]);
        assert.deepEqual([asked.code, asked.stdout.split('\n')[0]], [0, (await cli(ws, [command, '--help'])).stdout.split('\n')[0]], `help ${command}`);
      }
    }));

  test('steward --version says the package version', () =>
    withWorkspace('version', 'version: 1\n', async (ws) => {
      const { code, stdout } = await cli(ws, ['--version']);
      assert.equal(code, 0);
      assert.equal(stdout, `steward ${(JSON.parse(readFileSync(join(__dirname, '../../package.json'), 'utf8')) as { version: string }).version}\n`);
    }));

  test('--config before the command is the command\'s, as the help says every command takes it', () =>
    withWorkspace('config-first', 'version: 1\nworkers:\n  a: { command: sleep 100 }\n', async (ws) => {
      const elsewhere = { ...ws, dir: tmpdir() };
      for (const option of [['--config', ws.config], [`--config=${ws.config}`]]) {
        const result = await cli(elsewhere, [...option, 'check']);
        assert.deepEqual([result.code, result.stdout], [0, `${relative(tmpdir(), ws.config)}: valid, 1 worker\n`], option.join(' '));
      }
      const alone = await cli(elsewhere, ['--config', ws.config]);
      assert.equal(alone.code, 2, 'no command: the usage, as with no arguments');
      assert.match(alone.stdout, /^usage: steward <command>/);
    }));

  test('steward --help names every command, summaries in one column', () =>
    withWorkspace('help-table', 'version: 1\n', async (ws) => {
      const { code, stdout } = await cli(ws, ['--help']);
      assert.equal(code, 0);
      const rows = stdout.split('\n\n')[1]!.split('\n').slice(1);
      const named = rows.flatMap((row) => row.trim().split(' ')[0]!.split('|'));
      assert.deepEqual([...named].sort(), [...COMMANDS].sort());
      const columns = rows.map((row) => row.search(/ {2}\S+( \S+)*$/) + 2);
      assert.equal(new Set(columns).size, 1, `one summary column:\n${rows.join('\n')}`);
    }));
});
