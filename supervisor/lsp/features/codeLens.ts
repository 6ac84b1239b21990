/**
 * Code lenses on the master's own config: above the file, what a reload of
 * the text as it stands (saved or not) would do; above each worker, its
 * live state and actions. The actions are the extension's commands
 * (extension/commands.ts), given the worker's name.
 */
import type { CodeLens, Command } from 'vscode-languageserver';
import type { PlanLensArgument, ReloadPlan, WorkerStatus } from '../../../shared/protocol';
import type { ParsedConfig } from '../../config/check';
import type { StewardConfig } from '../../config/model';
import { instancesOf, summarizeWorker } from './workerState';

/** Extension command ids (extension/commands.ts) and VS Code's Problems view. */
export const LENS_COMMANDS = {
  reload: 'steward.reload',
  restartWorker: 'steward.restartWorker',
  showWorkerLogs: 'steward.showWorkerLogs',
  showProblems: 'workbench.actions.view.problems',
} as const;

/** No command id: VS Code draws the title as plain text. */
function label(title: string): Command {
  return { title, command: '' };
}

export interface LensInputs {
  parsed: ParsedConfig;
  workers: readonly WorkerStatus[];
  /** False in an untrusted workspace: a reload validates only. */
  workersEnabled: boolean;
  /** False for a client in an untrusted workspace: it may look, not reload or restart (whoever started the master). */
  mayControl: boolean;
  /** The document version the lenses are computed from (PlanLensArgument). */
  version: number;
  /** The master's plan for a valid config (Master.previewPlan). */
  previewPlan: (config: StewardConfig) => ReloadPlan;
}

export function codeLenses(inputs: LensInputs): CodeLens[] {
  const { parsed, workers } = inputs;
  const top = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
  const lenses: CodeLens[] = [{ range: top, command: planCommand(inputs) }];
  for (const worker of parsed.outline.workers) {
    const instances = instancesOf(workers, worker.name);
    const range = worker.keyRange;
    // Untrusted: the master lists the workers but runs none, so there is nothing to restart or read.
    lenses.push({ range, command: label(inputs.workersEnabled ? summarizeWorker(instances) : 'not started: the workspace is not trusted') });
    if (instances.length === 0 || !inputs.workersEnabled) continue;
    if (inputs.mayControl) lenses.push({ range, command: { title: 'Restart', command: LENS_COMMANDS.restartWorker, arguments: [worker.name] } });
    lenses.push({ range, command: { title: 'Logs', command: LENS_COMMANDS.showWorkerLogs, arguments: [worker.name] } });
  }
  return lenses;
}

function planCommand({ parsed, previewPlan, workersEnabled, mayControl, version }: LensInputs): Command {
  const errors = parsed.diagnostics.filter((diagnostic) => diagnostic.severity === 'error').length;
  if (errors > 0 || !parsed.config) {
    return { title: `config has ${errors} error${errors === 1 ? '' : 's'}: reload would enter wait mode`, command: LENS_COMMANDS.showProblems };
  }
  if (!workersEnabled) return label('config is valid; an untrusted workspace runs no worker');
  const sentence = describePlan(previewPlan(parsed.config));
  if (sentence === undefined) return label('no changes to apply');
  const argument: PlanLensArgument = { version };
  return mayControl ? { title: sentence, command: LENS_COMMANDS.reload, arguments: [argument] } : label(`${sentence} (not from this untrusted window)`);
}

/** "reload will restart api, start worker2, stop old, keep 3 unchanged"; undefined when nothing would change. */
export function describePlan(plan: ReloadPlan): string | undefined {
  if (plan.restart.length + plan.start.length + plan.stop.length === 0) return undefined;
  const parts = (['restart', 'start', 'stop'] as const).filter((action) => plan[action].length > 0).map((action) => `${action} ${plan[action].join(', ')}`);
  const kept = plan.keep.filter((name) => !plan.start.includes(name) && !plan.stop.includes(name)).length;
  if (kept > 0) parts.push(`keep ${kept} unchanged`);
  return `reload will ${parts.join(', ')}`;
}
