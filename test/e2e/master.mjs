// The master as the CLI sees it: `steward status --json` / `down` with the
// run's STEWARD_RUNTIME_DIR and --config, and the final leak check.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { REPO, log, pidsMentioning, processAlive, sleep } from './workbench.mjs';

export function steward(dirs, args) {
  const result = spawnSync(process.execPath, [path.join(REPO, 'dist/supervisor.js'), ...args, '--config', path.join(dirs.workspace, 'steward.yaml')], {
    encoding: 'utf8', env: { ...process.env, STEWARD_RUNTIME_DIR: dirs.runtimeDir }, timeout: 60_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** `steward status --json`, or undefined when no master answers (exit 2). */
export function masterStatus(dirs) {
  const { code, stdout, stderr } = steward(dirs, ['status', '--json']);
  if (code === 2) return undefined;
  if (code !== 0) throw new Error(`steward status --json exited ${code}: ${stderr}`);
  return JSON.parse(stdout);
}

/** `name#instance=pid …` of the live workers, for messages. */
export const workerPids = (status) => status.workers.filter((w) => !w.draining).map((w) => `${w.name}#${w.instance}=${w.pid}`).sort().join(' ');

/** name#instance → { pid, restarts } of the current generation's workers. */
export function workerProcesses(status) {
  return new Map(status.workers.filter((w) => !w.draining).map((w) => [`${w.name}#${w.instance}`, { pid: w.pid, restarts: w.restarts }]));
}

/**
 * Which workers got a new process between two snapshots without their own
 * restart policy doing it (their restart count unchanged) or an applied
 * reload's plan naming them (a reload retries failed workers): what a reload
 * that keeps workers must never do. The demo's `flaky` worker crashes and is
 * restarted on purpose; that is its restart policy, not the reload.
 */
export function replacedWorkers(before, after, lastReload) {
  const planned = new Set(lastReload?.ok ? [...(lastReload.plan?.restart ?? []), ...(lastReload.plan?.start ?? [])] : []);
  const replaced = [];
  for (const [key, was] of before) {
    if (planned.has(key.split('#')[0])) continue;
    const now = after.get(key);
    if (!now || (now.pid !== was.pid && now.restarts === was.restarts)) replaced.push(`${key}: ${was.pid} → ${now?.pid ?? 'gone'}`);
  }
  return replaced;
}

/**
 * `steward down`, then checks the master and every worker it had are gone and
 * no process of this run's temp dir is left (killing and failing otherwise).
 */
export async function stopMasterAndCheck(dirs) {
  let ok = true;
  const status = masterStatus(dirs);
  if (status) {
    const workers = status.workers.map((w) => w.pid).filter(Boolean);
    const down = steward(dirs, ['down']);
    if (down.code !== 0) { log(`steward down exited ${down.code}: ${down.stderr}`); ok = false; }
    const start = Date.now();
    // Workers must be gone when `down` returns (it waits for them); give the kernel a moment.
    for (let i = 0; i < 20 && workers.some(processAlive); i++) await sleep(100);
    const alive = workers.filter(processAlive);
    if (alive.length) { log(`workers still alive after steward down: ${alive.join(', ')}`); ok = false; }
    // The master may finish its exit sequence after answering; it must not outlive its idle timeout.
    for (let i = 0; i < 450 && processAlive(status.pid); i++) await sleep(100);
    const took = ((Date.now() - start) / 1000).toFixed(1);
    if (processAlive(status.pid)) { log(`master ${status.pid} still alive ${took}s after steward down`); ok = false; }
    else log(`steward down: ${workers.length} worker(s) gone at once, master ${status.pid} exited after ${took}s${Number(took) > 5 ? ' (SLOW: it lingers after down)' : ''}`);
  }
  const left = pidsMentioning(dirs.tmp);
  if (left.length) {
    log(`LEFTOVER processes of ${dirs.tmp}: ${left.join(', ')}; killing them`);
    for (const pid of left) { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }
    ok = false;
  }
  return ok;
}
