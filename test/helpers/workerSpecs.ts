/**
 * Test-side construction of WorkerSpecs and Workers with a leak marker in
 * their environment (see procs.ts) and short, test-friendly timings.
 */
import { tmpdir } from 'node:os';
import type { WorkerSpec } from '../../supervisor/config/model';
import { Worker, type WorkerOptions } from '../../supervisor/core/worker';
import type { Guardian } from '../../supervisor/process/guardian';
import { linesOf } from '../../shared/logBlocks';
import type { LogLine } from '../../shared/protocol';
import { MARKER_VAR } from './procs';

export function testSpec(marker: string, command: string, overrides: Partial<WorkerSpec> = {}): WorkerSpec {
  return {
    name: 'w',
    command,
    cwd: tmpdir(),
    env: { [MARKER_VAR]: marker },
    ports: [],
    dependsOn: [],
    restart: 'on-failure',
    stop: { signal: 'SIGTERM', timeoutMs: 1_000 },
    replicas: 1,
    line: 1,
    ...overrides,
  };
}

/** A Worker whose state changes and log lines are recorded for assertions. */
export function recordedWorker(spec: WorkerSpec, guardian: Guardian, options: WorkerOptions = {}) {
  const changes: { state: string; reason?: string; at: number }[] = [];
  const lines: LogLine[] = [];
  const worker = new Worker(spec, 0, 1, {
    guardian,
    onChange: (w) => {
      const { state, reason } = w.status();
      changes.push({ state, reason, at: Date.now() });
    },
    onLog: (logs, entry) => lines.push(...linesOf(logs.blockOf(entry))),
  }, options);
  return { worker, changes, lines };
}
