/**
 * Workspace Trust: in an untrusted workspace Steward runs no worker command
 * and controls no worker. The extension then starts its master with
 * `--untrusted` (status and diagnostics only, `workersEnabled: false`),
 * tells any master it connects to that this window is untrusted (which then
 * refuses its control requests), hides the commands that would run or stop
 * workers (`isWorkspaceTrusted` in their when clauses), refuses them from
 * anywhere else (code lenses, keybindings, saves) and shows a node that
 * explains why, offering "Manage Workspace Trust". Granting trust reconnects
 * (and replaces a master that runs no worker by one that does); trust cannot
 * be revoked without a window reload, so there is no "trust lost" path.
 */
import * as vscode from 'vscode';
import type { StatusSnapshot } from '../shared/protocol';
import { mayControl, UNTRUSTED_CONTROL_MESSAGE } from './controlRule';

const MANAGE_TRUST = 'Manage Workspace Trust';

export function mayRunWorkers(): boolean {
  return vscode.workspace.isTrusted;
}

export function onTrustGranted(start: () => void): vscode.Disposable {
  return vscode.workspace.onDidGrantWorkspaceTrust(start);
}

/** True when this window may control the master; otherwise says why and returns false. */
export function controlAllowed(snapshot: StatusSnapshot | undefined): boolean {
  if (mayControl(mayRunWorkers(), snapshot)) return true;
  explainUntrusted(UNTRUSTED_CONTROL_MESSAGE);
  return false;
}

export function explainUntrusted(message: string): void {
  void vscode.window.showWarningMessage(message, MANAGE_TRUST).then((choice) => choice && vscode.commands.executeCommand('workbench.trust.manage'));
}
