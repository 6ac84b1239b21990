/**
 * Processes that left their worker's process group: a daemon that
 * double-forks and calls setsid() is out of reach of every group signal.
 * Each spawn gets a unique run token in its environment (RUN_TOKEN_VAR);
 * children inherit it through setsid, so once the group is gone whatever
 * still carries the token escaped and is stopped too — by the worker's own
 * end here, by the guardian (guardian.ts) if the master dies, by the next
 * master from the stray record if both die. A program that
 * clears its environment before daemonising is beyond this (documented in
 * test/RELIABILITY.md).
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { allPids, isAlive } from './procfs';

export const RUN_TOKEN_VAR = 'STEWARD_RUN';

export function newRunToken(): string {
  return `${process.pid}-${randomBytes(6).toString('hex')}`;
}

/** Live processes (never this one) whose environment carries the token. */
export function carriersOf(token: string): number[] {
  const needle = `\0${RUN_TOKEN_VAR}=${token}\0`;
  return allPids().filter((pid) => {
    if (pid === process.pid) return false;
    try {
      return `\0${readFileSync(`/proc/${pid}/environ`, 'latin1')}`.includes(needle) && isAlive(pid);
    } catch {
      return false;
    }
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** `signal` to every carrier → up to `timeoutMs` → SIGKILL to those left. Resolves with how many there were. */
export async function stopEscaped(token: string, signal: NodeJS.Signals, timeoutMs: number): Promise<number> {
  const escaped = carriersOf(token);
  if (escaped.length === 0) return 0;
  const send = (pid: number, sig: NodeJS.Signals) => {
    try {
      process.kill(pid, sig);
    } catch {
      // gone meanwhile
    }
  };
  escaped.forEach((pid) => send(pid, signal));
  const deadline = Date.now() + timeoutMs;
  while (escaped.some(isAlive) && Date.now() < deadline) await sleep(50);
  escaped.filter(isAlive).forEach((pid) => send(pid, 'SIGKILL'));
  return escaped.length;
}
