/**
 * Declared ports held by something else: looked at when an instance starts
 * (workerRun.ts), and for a reload before it touches anything. A port that a
 * starting instance declares and that something outside the reload holds —
 * not an instance the reload stops first — would fail that instance's start
 * anyway, but only after the reload had stopped the instance it replaces:
 * the last good worker restarted for nothing. Found here, the reload fails
 * with nothing stopped. Only workers that declare `ports` pay for it (a bind
 * attempt per port; a /proc pass when the port is taken).
 */
import { groupsListenOn, isPortFree, portHolder } from '../process/procfs';
import type { ApplyContext, StartItem } from './applyPlan';
import type { InstanceStep } from './plan';

export interface PortConflict extends PortProblem {
  item: Pick<StartItem, 'spec' | 'instance'>;
}

/** `port`: the declared port that is held, so that the error can point at its declaration. */
export interface PortProblem {
  reason: string;
  port: number;
}

export async function portsHeldOutside(steps: InstanceStep[], context: ApplyContext): Promise<PortConflict[]> {
  const starting = steps.filter((step) => (step.action === 'start' || step.action === 'restart') && step.after!.ports.length > 0);
  if (starting.length === 0) return [];
  const stopping = new Set(
    steps
      .filter((step) => step.action === 'stop' || step.action === 'restart')
      .flatMap((step) => context.table.get(step.name, step.instance)?.status().pid ?? []),
  );
  const conflicts: PortConflict[] = [];
  for (const step of starting) {
    const problem = await findPortProblem(step.after!.ports, (port) => groupsListenOn(stopping, port));
    if (problem) conflicts.push({ item: { spec: step.after!, instance: step.instance }, ...problem });
  }
  return conflicts;
}

/**
 * The first of `ports` held by anything but what `ours` accepts, in words ("port 3000 is already in
 * use by pid 1234 (python3 -m http.server 3000)"); undefined when none is.
 */
export async function findPortProblem(ports: number[], ours: (port: number) => boolean = () => false): Promise<PortProblem | undefined> {
  for (const port of ports) {
    if (!(await isPortFree(port)) && !ours(port)) return { reason: portInUse(port), port };
  }
  return undefined;
}

function portInUse(port: number): string {
  const holder = portHolder(port);
  // On one line: a holder's command line may hold newlines (sh -c with a script), which would split the error.
  return holder ? `port ${port} is already in use by pid ${holder.pid} (${holder.command.replace(/\s+/g, ' ').trim()})` : `port ${port} is already in use (by a process this user cannot see)`;
}
