/**
 * Reload storm: REQUESTS reload requests from 10 clients spread over
 * STORM_MS, each after the config was replaced (atomically, as editors
 * save) by a valid one (a new VERSION for `api`) or an invalid one, in
 * alternation. Every request is answered; every rejected reload names the
 * invalid key; the unchanged worker keeps its pid throughout; the final
 * state follows the last config; nothing strays, and the master's fds and
 * memory come back to where they were.
 */
import assert from 'node:assert/strict';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { ReloadRequest, StatusRequest, type ReloadResult } from '../../shared/protocol';
import { connectRpc, pids, status, up, waitForWorkersUp, type Workspace } from '../helpers/master';
import { markedProcesses, sleep } from '../helpers/procs';
import { fdCount, FULL, rssKiB, Tally, withChaosWorkspace } from './harness';

const REQUESTS = FULL ? 1_000 : 300;
const STORM_MS = FULL ? 5_000 : 1_500;
const CLIENTS = 10;
const RSS_GROWTH_BUDGET_MIB = 50;

function config(version: number, valid: boolean): string {
  return `version: 1
workers:
  api:
    command: sleep 1000
    env: { VERSION: "${version}" }
  db:
    command: sleep 1001
${valid ? '' : '    restart: whenever\n'}`;
}

function save(ws: Workspace, text: string): void {
  const temp = join(ws.dir, '.steward.yaml.tmp');
  writeFileSync(temp, text);
  renameSync(temp, ws.config);
}

function versionOf(pid: number | null | undefined): number {
  return Number(/(?:^|\0)VERSION=(\d+)\0/.exec(readFileSync(`/proc/${pid}/environ`, 'latin1'))?.[1]);
}

describe('reload storm', () => {
  const tally = new Tally(`reload storm (${CLIENTS} clients)`);
  after(() => tally.record());

  test(`${REQUESTS} reloads from ${CLIENTS} clients over ${STORM_MS} ms, valid and invalid in turn`, () =>
    withChaosWorkspace('chaos-storm', config(0, true), async (ws) => {
      await up(ws);
      const before = await waitForWorkersUp(ws);
      const clients = await Promise.all(Array.from({ length: CLIENTS }, () => connectRpc(ws)));
      // Answered once: the master has accepted every client before the baseline is taken.
      await Promise.all(clients.map(({ connection }) => connection.sendRequest(StatusRequest.type, {})));
      const baseline = { fds: fdCount(before.pid), rss: rssKiB(before.pid) };
      try {
        const answers: Promise<ReloadResult>[] = [];
        const started = Date.now();
        for (let k = 1; k <= REQUESTS; k += 1) {
          await sleep(started + (k * STORM_MS) / REQUESTS - Date.now());
          save(ws, config(k, k % 2 === 0));
          answers.push(clients[k % CLIENTS].connection.sendRequest(ReloadRequest.type, { trigger: 'rpc' }));
          tally.fault();
          tally.iteration();
        }
        const results = await Promise.all(answers);
        const rejected = results.filter((r) => !r.ok);
        for (const result of rejected) assert.match(result.error?.message ?? '', /restart/, 'a rejected reload names the invalid key');
        tally.survived(results.length);

        const stormEnd = await status(ws);
        assert.equal(pids(stormEnd).db, pids(before).db, 'the unchanged worker kept its pid through the storm');
        assert.equal(stormEnd.state, REQUESTS % 2 === 0 ? 'running' : 'wait', 'the state follows the last config');
        tally.note(`${results.length} answered, ${new Set(results.map((r) => r.generation)).size} distinct reloads executed, ${rejected.length} answers rejected`);

        save(ws, config(REQUESTS + 1, true));
        const last = await clients[0].connection.sendRequest(ReloadRequest.type, { trigger: 'rpc' });
        assert.equal(last.ok, true);
        const final = await waitForWorkersUp(ws);
        assert.equal(final.state, 'running');
        assert.equal(versionOf(pids(final).api), REQUESTS + 1, 'the workers run the last config');
        await assertNoGrowth(ws, final.pid, baseline, tally);
      } finally {
        for (const { connection, socket } of clients) {
          connection.dispose();
          socket.destroy();
        }
      }
    }));
});

/** Stray processes, fds and memory: back to the level before the storm. */
async function assertNoGrowth(ws: Workspace, masterPid: number, baseline: { fds: number; rss: number }, tally: Tally): Promise<void> {
  await sleep(500);
  const live = markedProcesses(ws.marker).filter((p) => p.command.startsWith('sleep'));
  tally.leaked(Math.max(0, live.length - 2));
  assert.equal(live.length, 2, `exactly the two workers run: ${live.map((p) => p.command).join(', ')}`);
  const fds = fdCount(masterPid);
  const rss = rssKiB(masterPid);
  tally.note(`master fds ${baseline.fds} → ${fds}, RSS ${Math.round(baseline.rss / 1024)} → ${Math.round(rss / 1024)} MiB`);
  assert.ok(fds <= baseline.fds + 2, `fds ${baseline.fds} → ${fds}`);
  assert.ok(rss - baseline.rss < RSS_GROWTH_BUDGET_MIB * 1024, `RSS ${baseline.rss} → ${rss} KiB`);
}
