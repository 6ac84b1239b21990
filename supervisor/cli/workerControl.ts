/**
 * `steward start|stop|restart WORKER [--instance N]`: resolves once the
 * action is done and prints each instance's state (`start`: after those of
 * the dependencies it started first). Exit 0, 1 unknown worker or failed
 * action, 2 no master.
 */
import { RestartWorkerRequest, StartWorkerRequest, StopWorkerRequest, type WorkerStatus } from '../../shared/protocol';
import { parseCommand, UsageError, withUsage } from './args';
import { withMaster } from './client';
import { resolveConfigFile } from './workspace';

const REQUESTS = { start: StartWorkerRequest.type, stop: StopWorkerRequest.type, restart: RestartWorkerRequest.type } as const;

type Action = keyof typeof REQUESTS;

function runAction(action: Action, args: string[]): Promise<number> {
  const usage = `steward ${action} WORKER [--instance N] [--config PATH]`;
  return withUsage(async () => {
    const { values, positionals } = parseCommand(args, { usage, options: { instance: { type: 'string' } }, min: 1, max: 1 });
    const instance = values.instance === undefined ? undefined : Number(values.instance);
    if (instance !== undefined && !(Number.isInteger(instance) && instance >= 0)) throw new UsageError(`--instance wants a number, got '${values.instance}'`, usage);
    const configFile = resolveConfigFile(values.config, usage);
    return withMaster(configFile, async ({ connection }) => {
      const statuses = await connection.sendRequest(REQUESTS[action], { name: positionals[0], instance });
      process.stdout.write(statuses.map(describe).join(''));
      const wanted = action === 'stop' ? isDown : isUp;
      // `start` also lists the dependencies it started first; a one-shot among them has done its job by now.
      return statuses.filter((status) => status.name === positionals[0]).every(wanted) ? 0 : 1;
    });
  });
}

function describe(status: WorkerStatus): string {
  const pid = status.pid === null ? '' : ` (pid ${status.pid})`;
  const reason = status.reason && status.state !== 'ready' && status.state !== 'running' ? `: ${status.reason}` : '';
  return `${status.name}[${status.instance}]: ${status.state}${pid}${reason}\n`;
}

const isUp = (status: WorkerStatus): boolean => status.state === 'ready' || status.state === 'running';
const isDown = (status: WorkerStatus): boolean => status.state === 'exited' || status.state === 'failed';

export const runStart = (args: string[]): Promise<number> => runAction('start', args);
export const runStop = (args: string[]): Promise<number> => runAction('stop', args);
export const runRestart = (args: string[]): Promise<number> => runAction('restart', args);
