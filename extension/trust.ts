/**
 * Workspace Trust: in an untrusted workspace Steward runs no worker command.
 * The extension then spawns no master (a master runs the config's commands)
 * and shows a node that explains why and offers "Manage Workspace Trust".
 * Granting trust starts the master; trust cannot be revoked without a window
 * reload, so there is no "trust lost" path to handle.
 */
import * as vscode from 'vscode';

export function mayRunWorkers(): boolean {
  return vscode.workspace.isTrusted;
}

export function onTrustGranted(start: () => void): vscode.Disposable {
  return vscode.workspace.onDidGrantWorkspaceTrust(start);
}
