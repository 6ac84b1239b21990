/**
 * The control socket's file and the one-master rule under stress: the
 * socket file deleted (or replaced by another file) while the master runs,
 * three masters started at once for one workspace, and the stale socket a
 * SIGKILLed master leaves behind.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { after, describe, test } from 'node:test';
import { StatusRequest } from '../../shared/protocol';
import { cli, connectRpc, status, up, waitForWorkersUp } from '../helpers/master';
import { markedProcesses, waitUntil } from '../helpers/procs';
import { iterations, survivorsAfter, Tally, withChaosWorkspace } from './harness';

const RACES = iterations(3, 20);
const STALE = iterations(2, 10);
const SLEEPER = `version: 1
workers:
  api:
    command: sleep 1000
`;

/** The `up --foreground` masters (not the `up -d` parents, which have exited by now). */
function masters(marker: string) {
  return markedProcesses(marker).filter((p) => p.command.includes('supervisor.js up --foreground'));
}

/** Moved away first: `rm -r` in place can lose the race to the master binding again inside it (then rmdir fails, the master serves on). */
function deleteDirectory(dir: string): void {
  renameSync(dir, `${dir}.gone`);
  rmSync(`${dir}.gone`, { recursive: true });
}

describe('the socket file and the one-master rule', () => {
  test('a socket file deleted or replaced while the master runs is recreated; connected clients keep working', async () => {
    const tally = new Tally('control socket file deleted / replaced');
    after(() => tally.record());
    await withChaosWorkspace('sock-deleted', SLEEPER, async (ws) => {
      await up(ws);
      const running = await waitForWorkersUp(ws);
      const { connection, socket } = await connectRpc(ws);
      try {
        for (const [what, spoil] of [
          ['deleted', () => rmSync(ws.paths.socket)],
          // Renamed over it in one step: the master notices a deletion at once and would bind again in between.
          ['replaced by a regular file', () => (writeFileSync(`${ws.paths.socket}.new`, 'not a socket'), renameSync(`${ws.paths.socket}.new`, ws.paths.socket))],
          ['deleted with its whole runtime directory', () => deleteDirectory(dirname(ws.paths.socket))],
        ] as const) {
          tally.iteration();
          tally.fault();
          spoil();
          assert.equal((await connection.sendRequest(StatusRequest.method, {}) as { pid: number }).pid, running.pid, `${what}: a connected client still works`);
          const recreatedIn = await waitUntil(() => statSync(ws.paths.socket, { throwIfNoEntry: false })?.isSocket() === true, { timeoutMs: 3_000, message: `the socket ${what} is recreated` });
          assert.equal((statSync(ws.paths.socket).mode & 0o777).toString(8), '600');
          assert.equal((await status(ws)).pid, running.pid, `${what}: new clients find the same master`);
          await waitUntil(() => existsSync(ws.paths.lock) && existsSync(ws.paths.strays), { timeoutMs: 3_000, message: `${what}: the lock and the stray record are there again` });
          assert.equal(JSON.parse(readFileSync(ws.paths.lock, 'utf8')).pid, running.pid, `${what}: the lock names the master`);
          tally.note(`${what}: recreated in ${recreatedIn} ms`);
          tally.survived();
        }
      } finally {
        connection.dispose();
        socket.destroy();
      }
    });
  });

  test(`${RACES} races of three masters started at once: exactly one wins, the others say so and exit 1`, async () => {
    const tally = new Tally('three masters started at once');
    after(() => tally.record());
    await withChaosWorkspace('sock-race', SLEEPER, async (ws) => {
      for (let race = 1; race <= RACES; race += 1) {
        tally.iteration();
        tally.fault(2);
        const results = await Promise.all([1, 2, 3].map(() => cli(ws, ['up', '-d'])));
        const winners = results.filter((r) => r.code === 0);
        assert.equal(winners.length, 1, `race ${race}: ${results.map((r) => `${r.code} ${r.stderr.trim()}`).join(' | ')}`);
        for (const loser of results.filter((r) => r.code !== 0)) {
          assert.equal(loser.code, 1);
          assert.match(loser.stderr, /already running/);
        }
        await waitForWorkersUp(ws);
        assert.equal(masters(ws.marker).length, 1, `race ${race}: one master process`);
        assert.equal((await cli(ws, ['down'])).code, 0);
        const survivors = await survivorsAfter(ws.marker, 3_000);
        tally.leaked(survivors.length);
        assert.deepEqual(survivors, []);
        tally.survived(2);
      }
    });
  });

  test(`${STALE} stale sockets of a SIGKILLed master: clients say no master runs, the next up replaces it`, async () => {
    const tally = new Tally('stale socket of a dead master');
    after(() => tally.record());
    await withChaosWorkspace('sock-stale', SLEEPER, async (ws) => {
      for (let round = 1; round <= STALE; round += 1) {
        tally.iteration();
        tally.fault();
        await up(ws);
        const dead = (await waitForWorkersUp(ws)).pid;
        process.kill(dead, 'SIGKILL');
        const survivors = await survivorsAfter(ws.marker, 3_000);
        tally.leaked(survivors.length);
        assert.deepEqual(survivors, [], 'the guardian stopped the workers');
        assert.ok(statSync(ws.paths.socket).isSocket(), 'the dead master left its socket file');
        const asked = await cli(ws, ['status']);
        assert.equal(asked.code, 2);
        assert.match(asked.stderr, /no master|not running/i);
        await up(ws);
        assert.notEqual((await waitForWorkersUp(ws)).pid, dead);
        assert.equal((await cli(ws, ['down'])).code, 0);
        tally.survived();
      }
    });
  });
});
