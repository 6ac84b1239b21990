/**
 * `steward reload [--all] [--dry-run]`: prints the outcome (or the plan).
 * Exit 0 applied (or a dry run of a valid config), 1 rejected → the master
 * is in wait mode (or the dry run found the config invalid, or the master
 * serves an untrusted workspace and only checked it), 2 no master.
 */
import { ReloadRequest, type ReloadPlan, type ReloadResult } from '../../shared/protocol';
import { parseCommand, withUsage } from './args';
import { withMaster } from './client';
import { formatLocated } from './format';
import { resolveConfigFile } from './workspace';

const USAGE = 'steward reload [--all] [--dry-run] [--config PATH]';
const UNTRUSTED = 'not applied: this master serves an untrusted workspace (VS Code Restricted Mode), so it runs no worker command; it only checked the config (trust the folder in VS Code, or `steward down` and `steward up` from a terminal)';

export function runReload(args: string[]): Promise<number> {
  return withUsage(async () => {
    const { values } = parseCommand(args, {
      usage: USAGE,
      options: { all: { type: 'boolean' }, 'dry-run': { type: 'boolean' } },
    });
    const configFile = resolveConfigFile(values.config, USAGE);
    return withMaster(configFile, async ({ connection }) => {
      const dryRun = values['dry-run'] ?? false;
      const result = await connection.sendRequest(ReloadRequest.type, { all: values.all ?? false, dryRun, trigger: 'cli' });
      // A dry run nobody asked for: the master of an untrusted workspace only checks the config.
      const untrusted = result.dryRun === true && !dryRun;
      process.stdout.write(`${untrusted ? `${UNTRUSTED}\n` : ''}${renderReloadResult(result)}`);
      return result.ok && !untrusted ? 0 : 1;
    });
  });
}

export function renderReloadResult(result: ReloadResult): string {
  const lines: string[] = [];
  if (result.dryRun) lines.push(result.ok ? 'plan (dry run, nothing was changed):' : 'the new config would be rejected (dry run):');
  else if (result.ok) lines.push(`reload applied: generation ${result.generation} (${result.durationMs} ms)`);
  else lines.push(`reload failed (${result.durationMs} ms): the master is in wait mode, still running the last good workers`);
  if (result.error) lines.push(`  ${formatLocated(result.error)}`);
  for (const error of result.errors ?? []) lines.push(`  ${formatLocated(error)}`);
  for (const warning of result.warnings ?? []) lines.push(`  ${formatLocated(warning, 'warning')}`);
  if (result.plan) lines.push(...renderPlan(result.plan));
  return `${lines.join('\n')}\n`;
}

function renderPlan(plan: ReloadPlan): string[] {
  const rows: [string, string[]][] = [
    ['start', plan.start],
    ['stop', plan.stop],
    ['restart', plan.restart],
    ['keep', plan.keep],
  ];
  return rows.map(([label, names]) => `  ${label.padEnd(8)}${names.length > 0 ? names.join(', ') : '-'}`);
}
