/**
 * "No config yet": the Workers view's welcome content (package.json
 * `viewsWelcome`, shown while the tree is empty and `steward.hasConfig` is
 * false) runs `steward.createConfig`. When the workspace has something to
 * import (process-compose, Procfile, PM2 ecosystem, package.json scripts),
 * `steward init` previews it and the user picks: import it, or a starter.
 * Never overwrites an existing file.
 */
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { InitReport } from '../shared/protocol';
import { runSteward } from './cli';

/** A starter that runs anywhere Node runs: one HTTP worker with a readiness probe. */
export const STARTER_CONFIG = `# Steward: the dev workers of this project, one entry each.
# Save to reload; a broken config keeps the running workers (wait mode).
version: 1
workers:
  hello:
    command: node -e "require('http').createServer((q, s) => s.end('hello')).listen(8080, '127.0.0.1')"
    ports: [8080]
    ready: { http: "http://127.0.0.1:8080/", timeout: 10s }
    restart: on-failure
`;

export type ConfigOrigin = 'import' | 'starter';

/** Creates the config (imported or starter) if it does not exist, then opens it. Undefined when cancelled or failed. */
export async function createConfig(configPath: string, masterPath: string, output: vscode.LogOutputChannel, origin?: ConfigOrigin): Promise<vscode.Uri | undefined> {
  const uri = vscode.Uri.file(configPath);
  if (!existsSync(configPath)) {
    const chosen = origin ?? (await chooseOrigin(configPath, masterPath));
    if (!chosen) return undefined;
    if (chosen === 'starter') await writeFile(configPath, STARTER_CONFIG, { flag: 'wx' });
    else if (!(await importConfig(configPath, masterPath, output))) return undefined;
  }
  await vscode.window.showTextDocument(uri);
  return uri;
}

/** `steward init` writes DIR/steward.yaml, so importing applies to the default file name only. */
async function initReport(configPath: string, masterPath: string, extra: string[]): Promise<InitReport | undefined> {
  if (path.basename(configPath) !== 'steward.yaml') return undefined;
  const dir = path.dirname(configPath);
  const result = await runSteward(masterPath, ['init', dir, '--json', '--yes', ...extra], dir);
  try {
    return JSON.parse(result.stdout) as InitReport;
  } catch {
    return { ok: false, error: { message: (result.stderr || result.stdout).trim() || `steward init exited ${result.code}` } };
  }
}

async function chooseOrigin(configPath: string, masterPath: string): Promise<ConfigOrigin | undefined> {
  const preview = await initReport(configPath, masterPath, ['--dry-run']);
  if (!preview?.ok || !preview.source || !preview.workers?.length) return 'starter';
  const names = preview.workers.map((worker) => worker.name).join(', ');
  const picked = await vscode.window.showQuickPick(
    [
      { label: `Import from ${path.basename(preview.source.file)}`, description: names, origin: 'import' as const },
      { label: 'Start from an example', description: 'one HTTP worker', origin: 'starter' as const },
    ],
    { title: 'Create steward.yaml' },
  );
  return picked?.origin;
}

async function importConfig(configPath: string, masterPath: string, output: vscode.LogOutputChannel): Promise<boolean> {
  const report = await initReport(configPath, masterPath, []);
  if (!report?.ok) {
    void vscode.window.showErrorMessage(`Steward: could not import: ${report?.error?.message ?? 'unknown error'}`);
    return false;
  }
  for (const note of report.notes ?? []) output.warn(`import: ${note.file}${note.line ? `:${note.line}` : ''}: ${note.message}`);
  const notes = report.notes?.length ? ` ${report.notes.length} note(s) in the Steward output.` : '';
  void vscode.window.showInformationMessage(`Steward imported ${report.workers?.length ?? 0} worker(s) from ${report.source?.kind}.${notes}`);
  return true;
}
