/**
 * Workspace Trust: in an untrusted workspace Steward runs no worker command.
 * The extension then starts its master with `--untrusted` (status and
 * diagnostics only, `workersEnabled: false`), hides the commands that would
 * run workers (`isWorkspaceTrusted` in their when clauses) and shows a node
 * that explains why, offering "Manage Workspace Trust". Granting trust
 * replaces that master by one that runs the workers; trust cannot be revoked
 * without a window reload, so there is no "trust lost" path.
 */
import * as vscode from 'vscode';

export function mayRunWorkers(): boolean {
  return vscode.workspace.isTrusted;
}

export function onTrustGranted(start: () => void): vscode.Disposable {
  return vscode.workspace.onDidGrantWorkspaceTrust(start);
}
