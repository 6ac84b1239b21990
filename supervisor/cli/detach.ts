/**
 * Starting a master in the background (`up -d`, and `lsp` when none runs):
 * the same bundle runs `up --foreground` in its own session with its output
 * appended to the workspace's log file in the runtime directory; we return
 * once it answers on its socket, or report its own words if it exits first.
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, renameSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { ensurePrivateDir, workspacePaths } from '../runtime/paths';
import { StatusRequest } from '../../shared/protocol';
import { connectToMaster } from './client';

const ANSWER_TIMEOUT_MS = 20_000;
const POLL_MS = 50;
const LOG_ROTATE_BYTES = 10 * 1024 * 1024;

export type DetachOutcome = { ok: true; pid: number; log: string } | { ok: false; code: number; output: string; log: string };

export async function startDetachedMaster(configFile: string, upFlags: string[]): Promise<DetachOutcome> {
  const paths = workspacePaths(configFile);
  ensurePrivateDir(paths.dir);
  rotateLog(paths.log);
  const log = openSync(paths.log, 'a', 0o600);
  const offset = statSync(paths.log).size;
  let exitCode: number | null = null;
  let pid: number;
  try {
    const child = spawn(process.execPath, [process.argv[1], 'up', '--foreground', '--config', configFile, ...upFlags], {
      cwd: dirname(configFile),
      detached: true,
      stdio: ['ignore', log, log],
    });
    pid = child.pid ?? 0;
    child.once('exit', (code, signal) => (exitCode = code ?? (signal ? 128 : 1)));
    child.unref();
  } finally {
    closeSync(log);
  }
  const deadline = Date.now() + ANSWER_TIMEOUT_MS;
  while (Date.now() < deadline) {
    // Another master started at the same moment may answer first: only our child's answer counts.
    if ((await answeringPid(configFile)) === pid) return { ok: true, pid, log: paths.log };
    if (exitCode !== null) return { ok: false, code: exitCode, output: readFrom(paths.log, offset), log: paths.log };
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  return { ok: false, code: 1, output: `the master (pid ${pid}) did not answer within ${ANSWER_TIMEOUT_MS / 1000}s\n${readFrom(paths.log, offset)}`, log: paths.log };
}

/** The pid of the master answering on the workspace's socket, if any. */
async function answeringPid(configFile: string): Promise<number | undefined> {
  const client = await connectToMaster(configFile);
  if (!client) return undefined;
  try {
    return (await client.connection.sendRequest(StatusRequest.type, {})).pid;
  } catch {
    return undefined;
  } finally {
    client.close();
  }
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
