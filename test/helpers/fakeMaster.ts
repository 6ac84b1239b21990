/**
 * A stand-in master for the "SIGKILL of the master" tests:
 *   node --import tsx test/helpers/fakeMaster.ts MARKER RECORD_FILE
 * starts a guardian (keeping the stray record at RECORD_FILE) and two
 * workers that ignore SIGTERM and each fork a grandchild, every process
 * marked with MARKER;
 * prints `ready PID PID` once both run, then idles until killed.
 */
import { Guardian } from '../../supervisor/process/guardian';
import { Worker } from '../../supervisor/core/worker';
import { testSpec } from './workerSpecs';

async function main(marker: string, recordFile: string): Promise<void> {
  const guardian = Guardian.start({ recordFile });
  const workers = ['one', 'two'].map(
    (name) => new Worker(testSpec(marker, "trap '' TERM; sleep 300 & sleep 300; wait", { name }), 0, 1, { guardian, onChange: () => undefined, onLog: () => undefined }),
  );
  const outcomes = await Promise.all(workers.map((worker) => worker.start()));
  if (!outcomes.every((outcome) => outcome.ok)) throw new Error(`start failed: ${JSON.stringify(outcomes)}`);
  process.stdout.write(`ready ${workers.map((worker) => worker.status().pid).join(' ')} guardian ${guardian.pid}\n`);
  setInterval(() => undefined, 60_000);
}

void main(process.argv[2]!, process.argv[3]!);
