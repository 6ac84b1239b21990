/**
 * The command table: each entry is a factory that gets the context and
 * returns a one-line-ish handler. Handlers return their result (a
 * ReloadResult, the worker statuses, …) so tests inside the extension host
 * can check what a command did.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import {
  ErrorCodes,
  ReloadRequest,
  RestartWorkerRequest,
  StartWorkerRequest,
  StopWorkerRequest,
  type ReloadParams,
  type NotStartedData,
  type ReloadResult,
  type WorkerParams,
  type WorkerStatus,
} from '../shared/protocol';
import type { RequestType } from 'vscode-jsonrpc';
import { runSteward } from './cli';
import type { Ctx } from './ctx';
import { isStalePlanLens } from './planLens';
import { nothingStarted } from './render';
import { controlAllowed } from './trust';
import { createConfig, type ConfigOrigin } from './welcome';
import { WorkerNode } from './workerTree';

type Handler = (...args: unknown[]) => unknown;

export const COMMANDS: Record<string, (ctx: Ctx) => Handler> = {
  'steward.reload': (ctx) => (lens?: unknown) => reloadUnlessStale(ctx, lens),
  'steward.reloadAll': (ctx) => () => reload(ctx, { all: true }),
  'steward.showReloadPlan': (ctx) => () => showPlan(ctx),
  'steward.start': (ctx) => () => ctx.start(),
  'steward.stopAll': (ctx) => () => stopAll(ctx),
  'steward.showLogs': (ctx) => (name?: unknown) => showLogs(ctx, typeof name === 'string' ? name : undefined),
  'steward.openConfig': (ctx) => () => openConfigAt(ctx, undefined),
  'steward.checkConfig': (ctx) => () => checkConfig(ctx),
  'steward.createConfig': (ctx) => (origin?: unknown) => createAndStart(ctx, origin === 'import' || origin === 'starter' ? origin : undefined),
  'steward.showProblem': (ctx) => () => showProblem(ctx),
  'steward.restartWorker': (ctx) => (target?: unknown) => workerAction(ctx, RestartWorkerRequest.type, target),
  'steward.stopWorker': (ctx) => (target?: unknown) => workerAction(ctx, StopWorkerRequest.type, target),
  'steward.startWorker': (ctx) => (target?: unknown) => workerAction(ctx, StartWorkerRequest.type, target),
  'steward.showWorkerLogs': (ctx) => (target?: unknown) => ctx.logs.show(workerParams(target).name),
  'steward.goToDefinition': (ctx) => (target?: unknown) => openConfigAt(ctx, { line: workerLine(ctx, target) }),
};

/** Commands that reload, start, stop or restart workers: refused in an untrusted window however they are invoked (palette, code lens, tree, keybinding). */
const CONTROL_COMMANDS: ReadonlySet<string> = new Set(['steward.reload', 'steward.reloadAll', 'steward.stopAll', 'steward.restartWorker', 'steward.stopWorker', 'steward.startWorker']);

export function registerCommands(ctx: Ctx): vscode.Disposable[] {
  return Object.entries(COMMANDS).map(([id, factory]) => {
    const handler = factory(ctx);
    const guarded: Handler = CONTROL_COMMANDS.has(id) ? (...args) => (controlAllowed(ctx.snapshot) ? handler(...args) : undefined) : handler;
    return vscode.commands.registerCommand(id, guarded);
  });
}

function configDocument(ctx: Ctx): vscode.TextDocument | undefined {
  const configPath = ctx.settings()?.configPath;
  return vscode.workspace.textDocuments.find((doc) => doc.uri.fsPath === configPath);
}

/** Saves unsaved edits of the config first: "Reload" means the text the user sees. */
async function saveConfigIfDirty(ctx: Ctx): Promise<void> {
  const document = configDocument(ctx);
  if (!document?.isDirty) return;
  ctx.skipNextSaveReload = true;
  await document.save();
}

/** The header code lens passes the version its plan was computed from: a plan for older text is not acted on. */
function reloadUnlessStale(ctx: Ctx, lens: unknown): Promise<ReloadResult> | undefined {
  if (isStalePlanLens(lens, configDocument(ctx)?.version)) {
    void vscode.window.showInformationMessage('Steward: the config changed since that reload plan was shown; the lens is being updated. Nothing was reloaded.');
    return undefined;
  }
  return reload(ctx, {});
}

async function reload(ctx: Ctx, params: ReloadParams): Promise<ReloadResult> {
  await saveConfigIfDirty(ctx);
  const wasWaiting = ctx.snapshot?.state === 'wait';
  const title = params.all ? 'Steward: reloading all workers…' : 'Steward: reloading workers…';
  const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title }, () =>
    ctx.client.request(ReloadRequest.type, { ...params, trigger: 'command' }),
  );
  ctx.announcer.announce(result, wasWaiting, ctx.snapshot !== undefined && nothingStarted(ctx.snapshot));
  return result;
}

async function showPlan(ctx: Ctx): Promise<ReloadResult> {
  await saveConfigIfDirty(ctx);
  const result = await ctx.client.request(ReloadRequest.type, { dryRun: true, trigger: 'command' });
  ctx.announcer.announce(result, false);
  return result;
}

/** Stop All: returns once the master has exited. */
async function stopAll(ctx: Ctx): Promise<{ stopped: number }> {
  const result = await ctx.client.down(ctx.snapshot?.pid);
  void vscode.window.showInformationMessage(`Steward stopped ${result.stopped} worker${result.stopped === 1 ? '' : 's'} and the master.`);
  return result;
}

async function showLogs(ctx: Ctx, name: string | undefined): Promise<string | undefined> {
  const workers = ctx.snapshot?.workers ?? [];
  const names = [...new Set(workers.map((worker) => worker.name))];
  const picked =
    name ??
    (
      await vscode.window.showQuickPick(
        names.map((label) => ({ label, description: workers.find((worker) => worker.name === label)?.state })),
        { title: 'Steward: Show Logs', placeHolder: 'Worker' },
      )
    )?.label;
  if (picked) await ctx.logs.show(picked);
  return picked;
}

/** Tree nodes, `{ name, instance }` objects and plain names are all accepted (menus, tests, the palette). */
function workerParams(target: unknown): WorkerParams {
  if (target instanceof WorkerNode) return { name: target.worker.name, instance: target.worker.instance };
  if (typeof target === 'string') return { name: target };
  if (target && typeof target === 'object' && typeof (target as WorkerParams).name === 'string') return target as WorkerParams;
  throw new Error('Steward: no worker given');
}

function workerLine(ctx: Ctx, target: unknown): number | undefined {
  if (target instanceof WorkerNode) return target.worker.line;
  const { name } = workerParams(target);
  return ctx.snapshot?.workers.find((worker) => worker.name === name)?.line;
}

/**
 * The master's refusal (a start whose dependency did not come up, a worker a
 * reload removed meanwhile) is said in its words — a refused start with the
 * worker's log a click away — not as VS Code's notice that a command
 * failed. Resolves undefined then.
 */
async function workerAction(ctx: Ctx, type: RequestType<WorkerParams, WorkerStatus[], void>, target: unknown): Promise<WorkerStatus[] | undefined> {
  const params = workerParams(target);
  try {
    return await ctx.client.request(type, params);
  } catch (error) {
    if (!isMasterRefusal(error)) throw error;
    const actions: string[] = error.code === ErrorCodes.NotStarted ? ['Show Logs'] : [];
    const logsOf = (error.data as Partial<NotStartedData> | undefined)?.failed ?? params.name;
    void vscode.window.showErrorMessage(`Steward: ${error.message}`, ...actions).then((choice) => (choice ? ctx.logs.show(logsOf) : undefined));
    return undefined;
  }
}

const REFUSALS: ReadonlySet<number> = new Set([ErrorCodes.UnknownWorker, ErrorCodes.NotStarted]);

function isMasterRefusal(error: unknown): error is Error & { code: number; data?: unknown } {
  return error instanceof Error && REFUSALS.has((error as { code?: unknown }).code as number);
}

/** A wait-mode toast outlives wait mode (the API cannot withdraw it): its "Show Problem" then says there is none. */
function showProblem(ctx: Ctx): Promise<vscode.TextEditor | undefined> | undefined {
  if (ctx.snapshot?.state === 'wait') return openConfigAt(ctx, ctx.snapshot.lastReload?.error);
  void vscode.window.showInformationMessage('Steward: no reload problem now: wait mode has ended.');
  return undefined;
}

/** Opens the config with the cursor on a 1-based location (the failed reload's error, a worker's key). */
async function openConfigAt(ctx: Ctx, at: { line?: number; column?: number; endLine?: number; endColumn?: number; file?: string } | undefined): Promise<vscode.TextEditor | undefined> {
  const configPath = at?.file ?? ctx.settings()?.configPath;
  if (!configPath) return undefined;
  const line = Math.max(0, (at?.line ?? 1) - 1);
  const column = Math.max(0, (at?.column ?? 1) - 1);
  const end = new vscode.Position(Math.max(0, (at?.endLine ?? at?.line ?? 1) - 1), Math.max(0, (at?.endColumn ?? at?.column ?? 1) - 1));
  const selection = new vscode.Range(new vscode.Position(line, column), end);
  return vscode.window.showTextDocument(vscode.Uri.file(configPath), { selection });
}

export interface CheckOutcome {
  valid: boolean;
  output: string;
}

/** Runs `steward check` (validation only, no worker command runs) and reports the verdict. */
async function checkConfig(ctx: Ctx): Promise<CheckOutcome> {
  const settings = ctx.settings();
  if (!settings) throw new Error('Steward: no workspace folder is open');
  await saveConfigIfDirty(ctx);
  const result = await runSteward(settings.masterPath, ['check', settings.configPath], path.dirname(settings.configPath));
  const outcome = { valid: result.code === 0, output: `${result.stdout}${result.stderr}`.trim() };
  ctx.output.info(`steward check ${settings.configPath}:\n${outcome.output}`);
  if (outcome.valid) void vscode.window.showInformationMessage(`Steward: ${vscode.workspace.asRelativePath(settings.configPath)} is valid.`);
  else {
    const first = outcome.output.split('\n')[0] ?? '';
    void vscode.window.showWarningMessage(`Steward: the config has errors: ${first}`, 'Show Problems').then((choice) => choice && vscode.commands.executeCommand('workbench.actions.view.problems'));
  }
  return outcome;
}

async function createAndStart(ctx: Ctx, origin: ConfigOrigin | undefined): Promise<vscode.Uri | undefined> {
  const settings = ctx.settings();
  if (!settings) return undefined;
  const uri = await createConfig(settings.configPath, settings.masterPath, ctx.output, origin);
  if (uri) await ctx.start();
  return uri;
}
