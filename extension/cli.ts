/**
 * Runs the bundled `steward` CLI for the things that need no master:
 * `check` (validation only) and `init` (an import that reads sources as
 * data). Neither runs a worker command, so both are fine in an untrusted
 * workspace. The extension host may be Electron: its binary runs as Node.
 */
import { execFile } from 'node:child_process';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function runSteward(masterPath: string, args: string[], cwd: string): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [masterPath, ...args], { cwd, env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' }, timeout: 30_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr: stderr || (error && typeof error.code !== 'number' ? error.message : '') });
    });
  });
}
