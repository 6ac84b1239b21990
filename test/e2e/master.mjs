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

/** `name#instance=pid …` of the live workers, for "same pids" comparisons. */
export const workerPids = (status) => status.workers.filter((w) => !w.draining).map((w) => `${w.name}#${w.instance}=${w.pid}`).sort().join(' ');

/**
 * `steward down`, then checks the master and every worker it had are gone and
 * no process of this run's temp dir is left (killing and failing otherwise).
 */
export async function stopMasterAndCheck(dirs) {
  let ok = true;
  const status = masterStatus(dirs);
  if (status) {
    const pids = [status.pid, ...status.workers.map((w) => w.pid).filter(Boolean)];
    const down = steward(dirs, ['down']);
    if (down.code !== 0) { log(`steward down exited ${down.code}: ${down.stderr}`); ok = false; }
    for (let i = 0; i < 100 && pids.some(processAlive); i++) await sleep(100);
    const alive = pids.filter(processAlive);
    if (alive.length) { log(`still alive after steward down: ${alive.join(', ')}`); ok = false; }
    else log(`steward down: master ${status.pid} and ${pids.length - 1} worker(s) gone`);
  }
  const left = pidsMentioning(dirs.tmp);
  if (left.length) {
    log(`LEFTOVER processes of ${dirs.tmp}: ${left.join(', ')}; killing them`);
    for (const pid of left) { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }
    ok = false;
  }
  return ok;
}
