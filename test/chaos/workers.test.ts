/**
 * Misbehaving workers, all under one master at once: one ignores SIGTERM,
 * one forks grandchildren, one double-forks into a new session (leaving its
 * process group), one closes stdout and stderr, one stops itself (SIGSTOP),
 * one exits while its readiness probe waits, one prints a 10 MB line
 * without a newline, one prints 100 MB as fast as it can.
 *
 * While they misbehave a client asks `steward/status` every 25 ms: every
 * answers' p99 must stay under STATUS_BUDGET_MS (none over STATUS_LIMIT_MS). The master's RSS is sampled
 * throughout and must stay under RSS_BUDGET_MIB. `steward down` must then
 * complete, and nothing may survive — including the double-forked process,
 * which escaped the worker's group (see RELIABILITY.md, "setsid").
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { cli, connectRpc, status, up } from '../helpers/master';
import { markedProcesses, sleep } from '../helpers/procs';
import { assertLatencies, iterations, percentile, rssKiB, survivorsAfter, Tally, timedStatus, withChaosWorkspace } from './harness';

const ROUNDS = iterations(1, 3);
const STATUS_BUDGET_MS = 100;
const STATUS_LIMIT_MS = 500;
const RSS_BUDGET_MIB = 200;
const BIG = 100 * 1024 * 1024;
/** Keep asking at least this long, so the slow misbehaviours (readiness timeout, stop) are sampled too. */
const MIN_SAMPLING_MS = 3_000;

const MISBEHAVING = `version: 1
workers:
  deaf:
    command: sh -c 'trap "" TERM; while :; do sleep 0.2; done'
    stop: { signal: SIGTERM, timeout: 1s }
  forker:
    command: sh -c 'sleep 1001 & sleep 1002 & exec sleep 1003'
  escaper:
    command: sh -c '(setsid sleep 1004 &); exec sleep 1005'
  mute:
    command: sh -c 'exec >&- 2>&-; exec sleep 1006'
  frozen:
    command: sh -c 'kill -STOP $$; sleep 1007'
    stop: { signal: SIGTERM, timeout: 1s }
  quitter:
    command: sh -c 'sleep 0.3; exit 3'
    ready: { log: never printed, timeout: 3s }
    restart: never
  longline:
    command: node -e "process.stdout.write('x'.repeat(10 * 1024 * 1024)); setInterval(() => {}, 1000)"
  flood:
    command: sh -c 'yes 0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789 | head -c ${BIG}; echo flood-done; exec sleep 1008'
`;
const FAULTS_PER_ROUND = 8;

describe('misbehaving workers', () => {
  const tally = new Tally('misbehaving workers (8 kinds at once)');
  const latencies: number[] = [];
  let peakRssKiB = 0;
  after(() => {
    tally.note(`status p50 ${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms, max ${Math.max(...latencies).toFixed(1)} ms over ${latencies.length} requests; master peak RSS ${Math.round(peakRssKiB / 1024)} MiB`);
    tally.record();
  });

  for (let round = 1; round <= ROUNDS; round += 1) {
    test(`round ${round}: status answers within ${STATUS_BUDGET_MS} ms (p99), RSS stays under ${RSS_BUDGET_MIB} MiB, down completes, nothing survives`, async () => {
      tally.iteration();
      tally.fault(FAULTS_PER_ROUND);
      await withChaosWorkspace('chaos-workers', MISBEHAVING, async (ws) => {
        await up(ws);
        const masterPid = (await status(ws)).pid;
        const { connection, socket } = await connectRpc(ws);
        let floodDone = false;
        const started = Date.now();
        while ((!floodDone || Date.now() - started < MIN_SAMPLING_MS) && Date.now() - started < 30_000) {
          const { snapshot, ms } = await timedStatus(connection);
          latencies.push(ms);
          peakRssKiB = Math.max(peakRssKiB, rssKiB(masterPid));
          floodDone = markedProcesses(ws.marker).some((p) => p.command === 'sleep 1008') && snapshot.workers.length === 8;
          await sleep(25);
        }
        connection.dispose();
        socket.destroy();
        assert.ok(floodDone, 'the 100 MB flood finished within 30 s');
        const logs = await cli(ws, ['logs', 'flood']);
        assert.match(logs.stdout, /flood-done/, 'the line after 100 MB of output reached the log');
        const down = await cli(ws, ['down'], 20_000);
        assert.equal(down.code, 0, `down completes: ${down.stderr}`);
        const survivors = await survivorsAfter(ws.marker, 3_000);
        tally.leaked(survivors.length);
        assert.deepEqual(survivors, [], 'nothing survives down');
        const latency = assertLatencies(latencies, STATUS_BUDGET_MS, STATUS_LIMIT_MS, `round ${round}`);
        if (latency.includes('not asserted')) tally.note(latency);
        assert.ok(peakRssKiB < RSS_BUDGET_MIB * 1024, `master peak RSS ${Math.round(peakRssKiB / 1024)} MiB`);
        tally.survived(FAULTS_PER_ROUND);
      });
    });
  }
});

