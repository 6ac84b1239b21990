/**
 * Steward's extension entry: builds the context, registers the command table
 * and connects to (or starts) the workspace's master without blocking
 * activation. The returned API is for tests and diagnostics.
 */
import { LOAD_STARTED_AT } from './loadTime';
import * as vscode from 'vscode';
import type { StatusSnapshot } from '../shared/protocol';
import { registerCommands } from './commands';
import { Ctx } from './ctx';
import type { ConnectionState } from './render';

export interface StewardApi {
  /** Milliseconds from loading the bundle to the end of activate(). */
  readonly activationMs: number;
  connection(): ConnectionState;
  status(): StatusSnapshot | undefined;
}

let ctx: Ctx | undefined;

export function activate(context: vscode.ExtensionContext): StewardApi {
  const current = new Ctx(context.extensionPath);
  ctx = current;
  context.subscriptions.push(current, ...registerCommands(current));
  void current.start();
  const activationMs = performance.now() - LOAD_STARTED_AT;
  current.output.info(`activated in ${activationMs.toFixed(1)} ms`);
  return { activationMs, connection: () => current.connection, status: () => current.snapshot };
}

/** Leaves the master and its workers running: a window reload reconnects to them. */
export async function deactivate(): Promise<void> {
  await ctx?.client.detach();
  ctx = undefined;
}
