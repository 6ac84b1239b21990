/**
 * The stray record: which worker groups a master is running, written so that
 * a later master can reap them if both the master and its guardian died.
 * A record is trusted only when the pid is alive AND its /proc start time is
 * the recorded one, so a recycled pid is never killed.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { groupMembers, isAlive, readStat } from './procfs';
import { stopEscaped } from './escaped';
import { stopGroup } from './stop';

export interface StrayRecord {
  pid: number;
  pgid: number;
  /** /proc/PID/stat start time (clock ticks after boot). */
  startTime: number;
  command: string;
  /** The run token in the worker's environment (escaped.ts): finds what left the group. */
  runToken?: string;
}

interface RecordFile {
  version: 1;
  masterPid: number;
  workers: StrayRecord[];
  /** Run tokens of spawns under way (announced, not yet watched): a master killed mid-spawn leaves only these. */
  spawning?: string[];
}

const REAP_TIMEOUT_MS = 1_000;

/** Writes the record atomically (temp file + rename): a reader never sees half a file. */
export function writeStrayRecord(file: string, workers: StrayRecord[], spawning: string[] = []): void {
  const content: RecordFile = { version: 1, masterPid: process.pid, workers, spawning };
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, JSON.stringify(content), { mode: 0o600 });
  renameSync(temp, file);
}

function readRecordFile(file: string): Partial<RecordFile> {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Partial<RecordFile>;
  } catch {
    return {};
  }
}

/** Records in a file; a missing or garbled file has none. */
export function readStrayRecord(file: string): StrayRecord[] {
  const parsed = readRecordFile(file);
  return Array.isArray(parsed.workers) ? parsed.workers.filter(isRecord) : [];
}

/** Every run token of the file: of recorded workers and of spawns that were under way. */
function recordedTokens(file: string, records: StrayRecord[]): string[] {
  const spawning = readRecordFile(file).spawning;
  const pending = Array.isArray(spawning) ? spawning.filter((token): token is string => typeof token === 'string') : [];
  return [...records.flatMap((record) => (typeof record.runToken === 'string' ? [record.runToken] : [])), ...pending];
}

function isRecord(value: unknown): value is StrayRecord {
  const r = value as StrayRecord;
  return typeof r === 'object' && r !== null && [r.pid, r.pgid, r.startTime].every(Number.isInteger) && r.pid > 1 && r.pgid > 1;
}

/** True when the recorded process is still the very same one (alive, same start time). */
export function isSameProcess(record: StrayRecord): boolean {
  const stat = readStat(record.pid);
  return stat !== null && stat.state !== 'Z' && stat.startTime === record.startTime;
}

/** Whether a process runs with the identity every worker gets (env.ts `workerEnv`). */
function isWorkerDescendant(pid: number): boolean {
  try {
    return /(?:^|\0)STEWARD_WORKER=/.test(readFileSync(`/proc/${pid}/environ`, 'latin1'));
  } catch {
    return false;
  }
}

/**
 * True when the recorded worker's group still runs: its leader is the very
 * process recorded, or the leader is gone but members it forked live on (a
 * shell killed by SIGPIPE once the master's end of its stdout closed leaves
 * its background children). Linux does not reuse a pid that is still some
 * group's id, so members of a group whose leader is gone are the worker's —
 * unless the old group emptied and the pid came back as a new group; the
 * start time and the worker identity in the environment rule that out.
 */
export function isStrayGroup(record: StrayRecord): boolean {
  if (isSameProcess(record)) return true;
  if (isAlive(record.pid)) return false;
  return groupMembers(record.pgid).some((member) => member.startTime >= record.startTime && isWorkerDescendant(member.pid));
}

/**
 * For a new master, before it starts its own workers: stops the group of
 * every recorded worker that is verifiably still running, then empties the
 * record. Returns the records it reaped.
 */
export async function reapStrays(file: string): Promise<StrayRecord[]> {
  const records = readStrayRecord(file);
  const strays = records.filter(isStrayGroup);
  await Promise.all(strays.map((record) => stopGroup(record.pgid, 'SIGTERM', REAP_TIMEOUT_MS)));
  const tokens = recordedTokens(file, records);
  await Promise.all(tokens.map((token) => stopEscaped(token, 'SIGTERM', REAP_TIMEOUT_MS)));
  if (existsSync(file)) writeStrayRecord(file, []);
  return strays;
}
