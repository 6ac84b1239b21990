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
  /** Milliseconds Steward adds to start-up: evaluating the bundle's modules plus activate(). */
  readonly activationMs: number;
  /** The part of activationMs spent evaluating the bundle's modules. */
  readonly loadMs: number;
  connection(): ConnectionState;
  status(): StatusSnapshot | undefined;
}

/** Every import above has been evaluated by now. */
const MODULES_MS = performance.now() - LOAD_STARTED_AT;
let ctx: Ctx | undefined;

export function activate(context: vscode.ExtensionContext): StewardApi {
  const activateStart = performance.now();
  const current = new Ctx(context.extensionPath);
  ctx = current;
  context.subscriptions.push(current, ...registerCommands(current));
  void current.start();
  const activationMs = MODULES_MS + performance.now() - activateStart;
  current.output.info(`activated in ${activationMs.toFixed(1)} ms (evaluating the bundle: ${MODULES_MS.toFixed(1)} ms)`);
  return { activationMs, loadMs: MODULES_MS, connection: () => current.connection, status: () => current.snapshot };
}

/** Leaves the master and its workers running: a window reload reconnects to them. */
export async function deactivate(): Promise<void> {
  await ctx?.client.detach();
  ctx = undefined;
}
