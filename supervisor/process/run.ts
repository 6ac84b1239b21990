/**
 * Running a short command to completion (readiness `exec` probes): its own
 * group, guarded, and the whole group stopped when it overruns its time.
 */
import type { Guardian } from './guardian';
import { decodeLines } from './lines';
import { spawnProcess } from './spawn';

export interface RunOptions {
  cwd: string;
  env: Record<string, string>;
  timeoutMs: number;
  guardian?: Guardian;
}

export interface RunResult {
  /** Shell-style status; null when the command overran `timeoutMs` and was stopped. */
  status: number | null;
  /** The last output line (stdout or stderr), '' when it printed nothing. */
  lastLine: string;
}

const KILL_AFTER_MS = 500;

/** Throws SpawnError when the command cannot be started at all. */
export async function runCommand(command: string, options: RunOptions): Promise<RunResult> {
  let lastLine = '';
  const proc = await spawnProcess({
    command,
    cwd: options.cwd,
    env: options.env,
    onLines: (_stream, parts) => {
      lastLine = lastNonBlankLine(decodeLines(Buffer.concat(parts))) ?? lastLine;
    },
    leftovers: { signal: 'SIGTERM', timeoutMs: KILL_AFTER_MS },
    guardian: options.guardian,
  });
  let overran = false;
  const timer = setTimeout(() => {
    overran = true;
    void proc.stop('SIGTERM', KILL_AFTER_MS);
  }, options.timeoutMs);
  const exit = await proc.exited;
  clearTimeout(timer);
  return { status: overran ? null : exit.status, lastLine };
}

function lastNonBlankLine(block: string): string | undefined {
  return block.split('\n').filter((line) => line.trim() !== '').pop();
}
