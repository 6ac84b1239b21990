/**
 * The detached-master launcher shared by the CLI (`up -d`, `lsp`) and the
 * extension, with real child processes: it waits for the child's answer,
 * runs it in its own session and folder with its output in the workspace
 * log, and reports the child's own words when it exits first.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { connectSocket } from '../../supervisor/runtime/socket';
import { spawnDetachedMaster } from '../../supervisor/runtime/spawnMaster';
import { withWorkspace, type Workspace } from '../helpers/master';
import { readStat, waitUntil } from '../helpers/procs';

/** Stands in for a master: listens on the socket path it is given, or says why not and exits 3. */
const FAKE_MASTER = `
const [mode, socketPath] = process.argv.slice(2);
console.log('fake master in ' + process.cwd());
if (mode === 'fail') { console.error('steward.yaml:2:3: bad config'); process.exit(3); }
require('node:net').createServer((s) => s.end()).listen(socketPath);
`;

function launch(ws: Workspace, mode: 'listen' | 'fail', timeoutMs = 10_000) {
  const script = join(ws.dir, 'fake-master.js');
  writeFileSync(script, FAKE_MASTER);
  return spawnDetachedMaster<Socket>({
    script,
    args: [mode, ws.paths.socket],
    configFile: ws.config,
    env: ws.env,
    timeoutMs,
    answered: () => connectSocket(ws.paths.socket),
  });
}

describe('starting a detached master', () => {
  test('returns once it answers; it runs in its own session, in the config folder, writing to the workspace log', () =>
    withWorkspace('spawn-listen', 'version: 1\n', async (ws) => {
      const started = await launch(ws, 'listen');
      assert.ok(started.ok);
      try {
        started.value.destroy();
        assert.equal(readStat(started.pid)?.pgid, started.pid, 'its own process group (and session)');
        assert.equal(started.log, ws.paths.log);
        await waitUntil(() => readFileSync(ws.paths.log, 'utf8').includes(`fake master in ${ws.dir}`), { message: 'the log line' });
      } finally {
        process.kill(started.pid, 'SIGTERM');
      }
    }));

  test('a master that exits first is reported with its status and only what it wrote this time', () =>
    withWorkspace('spawn-fail', 'version: 1\n', async (ws) => {
      writeFileSync(ws.paths.log, 'an older run\n');
      const failed = await launch(ws, 'fail');
      assert.ok(!failed.ok);
      assert.equal(failed.code, 3);
      assert.equal(failed.output, `fake master in ${ws.dir}\nsteward.yaml:2:3: bad config\n`);
    }));
});
