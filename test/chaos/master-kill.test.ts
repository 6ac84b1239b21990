/**
 * SIGKILL of the master at random points of a reload. The reloaded worker
 * stops slowly (its TERM trap takes 300 ms) and becomes ready slowly (its
 * log probe matches after 300 ms), so validation, stopping, starting and
 * waiting for readiness all last long enough to be hit; the phase of each
 * kill is read from the status pushes the master sent just before (a
 * stopping worker shows as `stopping`, a started one as `starting` with its
 * new pid until its probe passes). The spawn itself is too short to show
 * in a push (the new pid comes with it), so kills aimed at it (330-420 ms)
 * are counted as stopping or readiness — that window found the master
 * killed between fork and guarding the new group.
 *
 * Every third kill also takes the guardian down: then the workers survive
 * the master on purpose, and the next master must reap them from the stray
 * record before starting its own. After each kill: nothing of the dead
 * master remains (or the next one reaped it), and the next master runs the
 * config on disk with every worker up.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, describe, test } from 'node:test';
import { SubscribeRequest, StatusChangedNotification, ReloadRequest, type StatusSnapshot } from '../../shared/protocol';
import { connectRpc, up, waitForWorkersUp, writeConfig, type Workspace } from '../helpers/master';
import { isAlive } from '../../supervisor/process/procfs';
import { markedProcesses, sleep, waitUntil } from '../helpers/procs';
import { CHAOS_SEED, iterations, logTail, seededRandom, survivorsAfter, Tally, withChaosWorkspace } from './harness';

const ITERATIONS = iterations(6, 100);

function config(version: number): string {
  return `version: 1
workers:
  slow:
    command: sh -c 'trap "sleep 0.3; exit 0" TERM; sleep 1000 & sleep 0.3; echo ready; while :; do sleep 0.1; done'
    env: { VERSION: "${version}" }
    ready: { log: ready, timeout: 5s }
    stop: { signal: SIGTERM, timeout: 3s }
  steady:
    command: sh -c 'sleep 1001 & exec sleep 1002'
`;
}

type Phase = 'validation' | 'stopping' | 'starting' | 'readiness' | 'done';

/** Which part of the reload the master was in, from the last snapshot it pushed. */
function phaseOf(snapshot: StatusSnapshot | undefined, oldPid: number | null): Phase {
  if (!snapshot) return 'validation';
  if (snapshot.state !== 'reloading') return 'done';
  const slow = snapshot.workers.find((w) => w.name === 'slow');
  if (!slow || slow.state === 'stopping' || slow.state === 'exited') return 'stopping';
  if (slow.pid === oldPid) return 'validation';
  return slow.pid === null ? 'starting' : 'readiness';
}

/** Kill delays aimed at each phase in turn (measured: stop ends ~350 ms after the request, readiness ~700 ms). */
function delayFor(iteration: number, random: () => number): number {
  const [from, to] = [[0, 0], [30, 330], [330, 420], [420, 680]][iteration % 4];
  return Math.floor(from + random() * (to - from));
}

/** Marked processes that are neither the master, its guardian, nor in one of its worker groups. */
function straysOf(running: StatusSnapshot, marker: string): string[] {
  const groups = new Set(running.workers.map((w) => w.pid));
  return markedProcesses(marker)
    .filter((p) => p.pid !== running.pid && p.ppid !== running.pid && !groups.has(p.pgid))
    .map((p) => `${p.pid} (pgid ${p.pgid}): ${p.command}`);
}

function strayRecordOf(ws: Workspace): string {
  try {
    return readFileSync(ws.paths.strays, 'utf8');
  } catch {
    return '(none)';
  }
}

/** The VERSION a worker process was started with. */
function versionOf(pid: number | null | undefined): string | undefined {
  if (!pid) return undefined;
  try {
    return /(?:^|\0)VERSION=(\d+)\0/.exec(readFileSync(`/proc/${pid}/environ`, 'latin1'))?.[1];
  } catch {
    return undefined;
  }
}

function guardianOf(masterPid: number, marker: string): number | undefined {
  return markedProcesses(marker).find((p) => p.ppid === masterPid && p.command.includes("trap '' INT HUP"))?.pid;
}

/** Starts a reload of `version` and SIGKILLs the master `delayMs` later; returns the phase it was in. */
async function killDuringReload(ws: Workspace, running: StatusSnapshot, version: number, delayMs: number, withGuardian: boolean): Promise<Phase> {
  const { connection, socket } = await connectRpc(ws);
  let last: StatusSnapshot | undefined;
  connection.onNotification(StatusChangedNotification.method, (snapshot: StatusSnapshot) => {
    last = snapshot;
  });
  await connection.sendRequest(SubscribeRequest.type, {});
  const oldPid = running.workers.find((w) => w.name === 'slow')?.pid ?? null;
  writeConfig(ws, config(version));
  connection.sendRequest(ReloadRequest.type, { trigger: 'rpc' }).catch(() => undefined);
  await sleep(delayMs);
  const guardian = withGuardian ? guardianOf(running.pid, ws.marker) : undefined;
  process.kill(running.pid, 'SIGKILL');
  if (guardian) process.kill(guardian, 'SIGKILL');
  // SIGKILL takes effect asynchronously (later still for a process in an uninterruptible read on a loaded machine):
  // until it has, the master is alive and a new `up` rightly finds it running.
  await waitUntil(() => !isAlive(running.pid), { timeoutMs: 5_000, message: 'the killed master is gone' });
  const phase = delayMs === 0 ? 'validation' : phaseOf(last, oldPid);
  connection.dispose();
  socket.destroy();
  return phase;
}

describe('SIGKILL of the master during a reload', () => {
  const tally = new Tally('master SIGKILL at random reload points');
  const phases = new Map<Phase, number>();
  after(() => {
    tally.note(`seed ${CHAOS_SEED}; phases hit: ${[...phases].map(([p, n]) => `${p} ${n}`).join(', ')}`);
    tally.record();
  });

  test(`${ITERATIONS} kills: no worker or grandchild survives, and the next master starts clean with the config on disk`, async () => {
    const random = seededRandom(CHAOS_SEED);
    await withChaosWorkspace('chaos-kill', config(0), async (ws) => {
      await up(ws);
      let running = await waitForWorkersUp(ws);
      for (let i = 1; i <= ITERATIONS; i += 1) {
        tally.iteration();
        tally.fault();
        const withGuardian = i % 3 === 0;
        const delayMs = delayFor(i, random);
        const phase = await killDuringReload(ws, running, i, delayMs, withGuardian);
        phases.set(phase, (phases.get(phase) ?? 0) + 1);
        if (!withGuardian) {
          const survivors = await survivorsAfter(ws.marker, 2_500);
          tally.leaked(survivors.length);
          assert.deepEqual(survivors, [], `iteration ${i} (${phase}): nothing survives the master\nstray record: ${strayRecordOf(ws)}\nmaster log:\n${logTail(ws)}`);
        }
        await up(ws);
        running = await waitForWorkersUp(ws);
        const strays = straysOf(running, ws.marker);
        tally.leaked(strays.length);
        assert.deepEqual(strays, [], `iteration ${i} (${phase}): the next master reaped every stray`);
        const version = versionOf(running.workers.find((w) => w.name === 'slow')?.pid);
        if (running.workers.length !== 2 || version !== String(i)) tally.lost(1);
        assert.equal(running.workers.length, 2, `iteration ${i}: both workers run again`);
        assert.equal(version, String(i), `iteration ${i}: the new master runs the config on disk`);
        tally.survived();
      }
    });
  });
});
