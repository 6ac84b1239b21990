/**
 * What an untrusted master shows instead of running workers: every instance
 * of the last valid config, as `exited` (never started), so a client sees
 * what would run once the workspace is trusted.
 */
import type { WorkerStatus } from '../../shared/protocol';
import type { StewardConfig } from '../config/model';

export const UNTRUSTED_REASON = 'workspace not trusted: no worker command runs';

export function notStartedWorkers(config: StewardConfig | null, generation: number): WorkerStatus[] {
  return (config?.workers ?? []).flatMap((spec) =>
    Array.from({ length: spec.replicas }, (_, instance) => ({
      name: spec.name,
      instance,
      pid: null,
      generation,
      state: 'exited' as const,
      restarts: 0,
      exitCode: null,
      ports: [...spec.ports],
      startedAt: null,
      reason: UNTRUSTED_REASON,
      line: spec.line,
    })),
  );
}
