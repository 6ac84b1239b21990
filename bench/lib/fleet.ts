/**
 * The workers every tool runs, described once: the same program, arguments
 * and environment for Steward, PM2 and supervisord.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { TAG_VAR, WORKER_VAR } from './procfs';

export type WorkerKind = 'sleep' | 'http' | 'log';

export interface WorkerDef {
  name: string;
  program: string;
  args: string[];
  env: Record<string, string>;
  /** Loopback port an `http` worker listens on. */
  port?: number;
}

export interface Fleet {
  /** Unique per tool session; every process it starts carries it in BENCH_TAG. */
  tag: string;
  kind: WorkerKind;
  workers: WorkerDef[];
}

const FIXTURES = join(__dirname, '..', 'fixtures');
export const NODE = process.execPath;
/** Size of the log scenario's output, set by the runner. */
export const logMegabytes = { value: 100 };

function program(kind: WorkerKind): { program: string; args: string[] } {
  if (kind === 'sleep') return { program: 'sleep', args: ['1000'] };
  if (kind === 'http') return { program: NODE, args: [join(FIXTURES, 'http-worker.js')] };
  return { program: NODE, args: [join(FIXTURES, 'log-writer.js'), String(logMegabytes.value)] };
}

/**
 * A random run of `count` loopback ports between the usual dev ports and
 * Linux's ephemeral range (32768+). Inside that range the harness's own
 * probes of a port that is down for a restart can connect to themselves (TCP
 * simultaneous open) and hold it, so the restarted worker cannot listen.
 */
function basePort(count: number): number {
  return 12_000 + Math.floor(Math.random() * (20_000 - count));
}

export function makeFleet(kind: WorkerKind, count: number): Fleet {
  const tag = randomBytes(6).toString('hex');
  const firstPort = basePort(count);
  const workers = Array.from({ length: count }, (_, index): WorkerDef => {
    const name = `w${index}`;
    const env: Record<string, string> = { [TAG_VAR]: tag, [WORKER_VAR]: name, BENCH_GEN: '1' };
    const port = kind === 'http' ? firstPort + index : undefined;
    if (port !== undefined) env.PORT = String(port);
    return { name, ...program(kind), env, port };
  });
  return { tag, kind, workers };
}

/** The same fleet with worker `name`'s definition changed (a new BENCH_GEN), so a reload must replace it. */
export function withChangedWorker(fleet: Fleet, name: string): Fleet {
  const workers = fleet.workers.map((worker) =>
    worker.name === name ? { ...worker, env: { ...worker.env, BENCH_GEN: String(Number(worker.env.BENCH_GEN) + 1) } } : worker,
  );
  return { ...fleet, workers };
}

/** A POSIX shell command line for the worker (arguments here never need more than single quotes). */
export function commandLine(worker: WorkerDef): string {
  return [worker.program, ...worker.args].map((word) => (/^[\w./:-]+$/.test(word) ? word : `'${word}'`)).join(' ');
}
