/**
 * Verification through /proc and HTTP: a worker counts as up when exactly
 * one live process carries its marker and, for `http` workers, its port
 * answers with that very pid.
 */
import { request } from 'node:http';
import type { Fleet, WorkerDef } from './fleet';
import { isAlive, ProcessIndex } from './procfs';
import { delay, now, waitFor } from './timing';

export type PidMap = Map<string, number>;

/** The pid the HTTP worker on `port` answers with, or null when it does not answer. */
export function answeringPid(port: number): Promise<number | null> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/', agent: false, timeout: 1000 }, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => resolve(Number(body) || null));
      response.on('error', () => resolve(null));
    });
    req.on('error', () => resolve(null));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

/** One live pid per worker, each different from `previous` (when given); null while that does not hold. */
function settledPids(index: ProcessIndex, fleet: Fleet, previous?: PidMap): PidMap | null {
  const live = index.scan(fleet.tag).workers;
  const pids: PidMap = new Map();
  for (const worker of fleet.workers) {
    const found = live.get(worker.name) ?? [];
    if (found.length !== 1 || found[0] === previous?.get(worker.name)) return null;
    pids.set(worker.name, found[0]);
  }
  return pids;
}

/**
 * Waits until each HTTP worker answers with its current pid. A worker that
 * crashed and was restarted meanwhile has a newer pid: the pids are read
 * again from /proc while answers disagree.
 */
async function waitAnswers(workers: WorkerDef[], settle: () => PidMap | null, deadline: number): Promise<PidMap> {
  let pids = settle();
  let pending = workers.filter((worker) => worker.port !== undefined);
  for (;;) {
    if (pids !== null) {
      const current = pids;
      const answers = await Promise.all(pending.map((worker) => answeringPid(worker.port as number)));
      pending = pending.filter((worker, i) => answers[i] !== current.get(worker.name));
      if (pending.length === 0) return current;
    }
    if (now() > deadline) throw new Error(`workers not answering with their pid: ${pending.map((w) => w.name).join(', ')}`);
    await delay(3);
    pids = settle();
  }
}

/**
 * Waits until every worker of `only` (default: all) is up with a new pid
 * (compared to `previous`); returns the pids of the whole fleet.
 */
export async function waitUp(index: ProcessIndex, fleet: Fleet, options: { previous?: PidMap; only?: string[]; timeoutMs?: number; after?: string } = {}): Promise<PidMap> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const deadline = now() + timeoutMs;
  const only = new Set(options.only ?? fleet.workers.map((worker) => worker.name));
  const previous = new Map([...(options.previous ?? [])].filter(([name]) => only.has(name)));
  const settle = () => settledPids(index, fleet, previous);
  await waitFor(() => settle() !== null, { timeoutMs, what: `${only.size} workers up with new pids after ${options.after ?? 'start'}` });
  return waitAnswers(fleet.workers.filter((worker) => only.has(worker.name)), settle, deadline);
}

/** Throws unless every worker in `pids` still runs with the same pid. */
export function assertKept(index: ProcessIndex, fleet: Fleet, pids: PidMap, except: string[] = []): void {
  const live = index.scan(fleet.tag).workers;
  const moved = [...pids].filter(([name, pid]) => !except.includes(name) && !(live.get(name) ?? []).includes(pid));
  if (moved.length > 0) throw new Error(`workers lost their pid: ${moved.map(([name]) => name).join(', ')}`);
}

/** Waits until no worker and no supervisor process of the run is alive. */
export async function waitAllGone(index: ProcessIndex, tag: string, extraPids: number[] = [], timeoutMs = 30_000): Promise<void> {
  await waitFor(
    () => {
      const run = index.scan(tag);
      return run.workers.size === 0 && run.supervisor.length === 0 && !extraPids.some(isAlive);
    },
    { timeoutMs, what: 'every process of the run to end' },
  );
}

/**
 * The leak check every scenario ends with: allows `graceMs` for stopping
 * processes to finish, then SIGKILLs whatever of the run is left and throws.
 */
export async function assertNoLeaks(index: ProcessIndex, tag: string, graceMs = 15_000): Promise<void> {
  try {
    await waitAllGone(index, tag, [], graceMs);
  } catch {
    const run = index.scan(tag);
    const leaked = [...run.supervisor, ...[...run.workers.values()].flat()];
    for (const pid of leaked) process.kill(pid, 'SIGKILL');
    throw new Error(`leaked ${leaked.length} processes of run ${tag} (killed now): ${leaked.join(' ')}`);
  }
}
