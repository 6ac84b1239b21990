/** What every scenario family gets from the runner, and the session lifecycle they share. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Fleet, WorkerKind } from '../lib/fleet';
import { ProcessIndex } from '../lib/procfs';
import type { Recorder } from '../lib/results';
import { assertNoLeaks } from '../lib/verify';
import type { ToolDriver, ToolSession } from '../tools/tool';

export interface Settings {
  quick: boolean;
  /** Worker counts for the start / restart / reload scenarios. */
  counts: number[];
  /** Worker kinds for those scenarios (the scale point is always sleep). */
  kinds: WorkerKind[];
  /** The scale point (sleep workers only), or null. */
  scaleCount: number | null;
  reps: number;
  /** The idle window is split into `reps` slices of this length. */
  idleSliceMs: number;
  idleCount: number;
  logMegabytes: number;
  orphanCount: number;
}

export interface BenchContext {
  settings: Settings;
  recorder: Recorder;
  index: ProcessIndex;
  drivers: ToolDriver[];
}

export function sessionDir(tool: string): string {
  return mkdtempSync(join(tmpdir(), `steward-bench-${tool}-`));
}

/**
 * Runs `body` with a fresh session of `driver` on `fleet`; whatever happens,
 * disposes of the session and then checks that no process of it is left.
 */
export async function withSession<T>(context: BenchContext, driver: ToolDriver, fleet: Fleet, body: (session: ToolSession) => Promise<T>): Promise<T> {
  const session = driver.open(fleet, sessionDir(driver.name));
  let failed = false;
  try {
    return await body(session);
  } catch (error) {
    failed = true;
    throw error;
  } finally {
    await session.dispose();
    try {
      await assertNoLeaks(context.index, fleet.tag);
    } catch (leak) {
      // A leak after a failure is reported beside it; after success it is the failure.
      if (!failed) throw leak;
      context.recorder.fail(driver.name, leak);
    }
  }
}
