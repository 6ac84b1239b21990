/**
 * Starting a master in the background, shared by the CLI (`up -d`, `lsp`)
 * and the extension: `node SCRIPT ARGS` runs in its own session (so closing
 * the terminal or the editor window never takes it down), unref'd, with its
 * output appended to the workspace's log file in the runtime directory.
 * We then poll `answered` until it yields a value, or report the master's
 * own words if it exits first.
 *
 * Node built-ins only: the extension bundles this module.
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, renameSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { MASTER_ONLY_ENV } from '../process/env';
import { ensurePrivateDir, workspacePaths } from './paths';

const POLL_MS = 50;
const LOG_ROTATE_BYTES = 10 * 1024 * 1024;
/**
 * V8 options for a long-lived, mostly idle master. V8 grows the young
 * generation to 16 MB semi-spaces during start-up bursts (spawning every
 * worker) and keeps them: capping them at 1 MB costs a few more scavenges
 * under a log flood and takes ~4 MB off the idle RSS (bench/PROFILE.md).
 */
export const MASTER_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=1'];

/**
 * glibc malloc settings for the master alone. glibc raises its mmap
 * threshold to the size of the largest mapped block freed (up to 32 MB):
 * once start-up has freed blocks of 0.2–0.5 MB, later blocks of that size
 * come from the heap and the threads' arenas, where what fragments stays
 * resident — ~6 MB of an idle master with 50 workers. Fixed at glibc's own
 * default, big blocks stay mapped and go back to the system when freed
 * (bench/PROFILE.md round 8). A value the user set is left alone.
 */
const MASTER_MALLOC_ENV: Readonly<Record<string, string>> = { MALLOC_MMAP_THRESHOLD_: '131072' };

/** The master's environment: `base` plus the malloc settings, which it keeps from its workers (process/env.ts). */
export function masterEnv(base: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const added = Object.keys(MASTER_MALLOC_ENV).filter((key) => base[key] === undefined);
  if (added.length === 0) return base;
  return { ...base, ...Object.fromEntries(added.map((key) => [key, MASTER_MALLOC_ENV[key]])), [MASTER_ONLY_ENV]: added.join(',') };
}

export interface SpawnMasterOptions<T> {
  /** The steward bundle (dist/supervisor.js) run with `execPath`. */
  script: string;
  /** Arguments after the script, e.g. `['up', '--foreground', '--config', file]`. */
  args: string[];
  /** Absolute steward.yaml: names the runtime files, and its folder is the master's cwd. */
  configFile: string;
  env?: NodeJS.ProcessEnv;
  /** Node binary; defaults to this process's. */
  execPath?: string;
  timeoutMs: number;
  /** Polled until it yields a value: whether the spawned master (pid given) answers yet. */
  answered(pid: number): Promise<T | undefined>;
}

export type SpawnOutcome<T> =
  | { ok: true; pid: number; value: T; log: string }
  /** `output`: what the master wrote to its log since we started it. */
  | { ok: false; code: number; output: string; log: string };

export async function spawnDetachedMaster<T>(options: SpawnMasterOptions<T>): Promise<SpawnOutcome<T>> {
  const { dir, log } = workspacePaths(options.configFile, options.env);
  ensurePrivateDir(dir);
  rotateLog(log);
  const fd = openSync(log, 'a', 0o600);
  const offset = statSync(log).size;
  let exitCode: number | null = null;
  let pid: number;
  try {
    const child = spawn(options.execPath ?? process.execPath, [...MASTER_NODE_FLAGS, options.script, ...options.args], {
      cwd: dirname(options.configFile),
      detached: true,
      stdio: ['ignore', fd, fd],
      env: masterEnv(options.env ?? process.env),
    });
    pid = child.pid ?? 0;
    child.once('exit', (code, signal) => (exitCode = code ?? (signal ? 128 : 1)));
    child.once('error', () => (exitCode = 1));
    child.unref();
  } finally {
    closeSync(fd);
  }
  const deadline = Date.now() + options.timeoutMs;
  while (Date.now() < deadline) {
    const value = await options.answered(pid);
    if (value !== undefined) return { ok: true, pid, value, log };
    if (exitCode !== null) return { ok: false, code: exitCode, output: readFrom(log, offset), log };
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  const output = `the master (pid ${pid}) did not answer within ${options.timeoutMs / 1000}s\n${readFrom(log, offset)}`;
  return { ok: false, code: 1, output, log };
}

/** Masters append to one log per workspace; past LOG_ROTATE_BYTES the old one becomes `.1` (one generation kept). */
function rotateLog(file: string): void {
  try {
    if (statSync(file).size > LOG_ROTATE_BYTES) renameSync(file, `${file}.1`);
  } catch {
    // no log yet
  }
}

function readFrom(file: string, offset: number): string {
  try {
    return readFileSync(file).subarray(offset).toString('utf8');
  } catch {
    return '';
  }
}
