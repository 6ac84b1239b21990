/**
 * Typed access to the `steward.*` settings (package.json `contributes.configuration`).
 * Read on demand, so a changed setting applies to the next use without a cache.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';

const SECTION = 'steward';

export interface StewardSettings {
  /** Absolute path of the workspace's config file (it may not exist yet). */
  configPath: string;
  reloadOnSave: boolean;
  reloadOnSaveDelayMs: number;
  stopWorkersOnExit: boolean;
  /** Absolute path of the supervisor bundle to run as the master. */
  masterPath: string;
}

/** The folder Steward serves: the first workspace folder (one master per workspace). */
export function workspaceFolder(): vscode.WorkspaceFolder | undefined {
  return vscode.workspace.workspaceFolders?.[0];
}

export function readSettings(folder: vscode.WorkspaceFolder, extensionPath: string): StewardSettings {
  const settings = vscode.workspace.getConfiguration(SECTION, folder.uri);
  const configured = settings.get<string>('configPath', 'steward.yaml') || 'steward.yaml';
  const masterOverride = settings.get<string>('masterPath', '');
  return {
    configPath: path.resolve(folder.uri.fsPath, configured),
    reloadOnSave: settings.get<boolean>('reloadOnSave', true),
    reloadOnSaveDelayMs: Math.max(0, settings.get<number>('reloadOnSaveDelay', 300)),
    stopWorkersOnExit: settings.get<boolean>('stopWorkersOnExit', true),
    masterPath: masterOverride ? path.resolve(folder.uri.fsPath, masterOverride) : path.join(extensionPath, 'dist', 'supervisor.js'),
  };
}

/** Settings that decide which master to talk to: a change means reconnecting. */
export function affectsConnection(event: vscode.ConfigurationChangeEvent): boolean {
  return event.affectsConfiguration(`${SECTION}.configPath`) || event.affectsConfiguration(`${SECTION}.masterPath`);
}
