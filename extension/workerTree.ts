/**
 * The Workers view: one TreeItem subclass per kind of node (master, worker
 * instance, message). Nodes are long-lived objects updated in place and keep
 * their ids, and only nodes whose rendering changed are refreshed, so the
 * tree neither flickers nor collapses when the master pushes a new status.
 */
import * as vscode from 'vscode';
import type { StatusSnapshot, WorkerStatus } from '../shared/protocol';
import { masterView, workerItemId, workerView, type ConnectionState, type IconSpec, type ItemView } from './render';

/**
 * Re-render durations ("up 12s") this often while the view is visible: a local refresh, not a poll of
 * the master, and only nodes whose text changed are sent (QA: "up 0s" stayed for 20 s after a start).
 */
const CLOCK_TICK_MS = 1_000;

function themeIcon(icon: IconSpec): vscode.ThemeIcon {
  return new vscode.ThemeIcon(icon.id, icon.color ? new vscode.ThemeColor(icon.color) : undefined);
}

/** Applies a rendering to an item; true when anything visible changed. */
function applyView(item: vscode.TreeItem, view: ItemView, previous: ItemView | undefined): boolean {
  if (previous && JSON.stringify(previous) === JSON.stringify(view)) return false;
  item.label = view.label;
  item.description = view.description;
  item.iconPath = themeIcon(view.icon);
  item.tooltip = new vscode.MarkdownString(view.tooltip, true);
  item.contextValue = view.contextValue;
  item.accessibilityInformation = { label: view.ariaLabel };
  return true;
}

export class MasterNode extends vscode.TreeItem {
  private view: ItemView | undefined;
  snapshot: StatusSnapshot;

  constructor(snapshot: StatusSnapshot, now: number) {
    super('Master', vscode.TreeItemCollapsibleState.Expanded);
    this.id = 'master';
    this.snapshot = snapshot;
    this.update(snapshot, now);
  }

  update(snapshot: StatusSnapshot, now: number): boolean {
    this.snapshot = snapshot;
    const view = masterView(snapshot, now);
    const changed = applyView(this, view, this.view);
    this.view = view;
    this.command =
      snapshot.state === 'wait'
        ? { command: 'steward.showProblem', title: 'Show Reload Problem' }
        : { command: 'steward.openConfig', title: 'Open Config' };
    return changed;
  }
}

export class WorkerNode extends vscode.TreeItem {
  private view: ItemView | undefined;

  constructor(
    readonly parent: MasterNode,
    public worker: WorkerStatus,
  ) {
    super(worker.name, vscode.TreeItemCollapsibleState.None);
    this.id = workerItemId(worker);
  }

  update(worker: WorkerStatus, all: readonly WorkerStatus[], now: number): boolean {
    this.worker = worker;
    const view = workerView(worker, all, now);
    const changed = applyView(this, view, this.view);
    this.view = view;
    return changed;
  }
}

/** An empty or error state that explains itself, optionally with an action on click. */
export class MessageNode extends vscode.TreeItem {
  constructor(kind: string, label: string, tooltip: string, icon: IconSpec, command?: vscode.Command, description?: string) {
    super(label, vscode.TreeItemCollapsibleState.None);
    this.id = `message:${kind}`;
    this.description = description;
    this.tooltip = tooltip;
    this.iconPath = themeIcon(icon);
    this.command = command;
    this.contextValue = `message.${kind}`;
  }
}

export type WorkerTreeNode = MasterNode | WorkerNode | MessageNode;

/** What the view shows when there is no status to show. */
export function messageFor(connection: ConnectionState, detail: string | undefined): MessageNode | undefined {
  switch (connection) {
    case 'untrusted':
      return new MessageNode('untrusted', 'Manage Workspace Trust…', 'This workspace is not trusted, so Steward runs none of its worker commands; config diagnostics still work. Trust it to start the workers.', { id: 'shield', color: 'list.warningForeground' }, { command: 'workbench.trust.manage', title: 'Manage Workspace Trust' }, 'untrusted: no worker runs');
    case 'connecting':
      return new MessageNode('connecting', 'Connecting to the master…', 'Starting or connecting to this workspace\'s Steward master.', { id: 'loading~spin' });
    case 'stopped':
      return new MessageNode('stopped', 'Master not running — start it', 'No Steward master serves this workspace. Click to start it and its workers.', { id: 'debug-start' }, { command: 'steward.start', title: 'Start' });
    case 'failed':
      return new MessageNode('failed', 'Could not connect — retry', detail ?? 'The master could not be started or reached; see the Steward output.', { id: 'error', color: 'testing.iconFailed' }, { command: 'steward.start', title: 'Start' });
    default:
      return undefined; // noConfig: the welcome view (viewsWelcome) shows while the tree is empty
  }
}

export class WorkerTree implements vscode.TreeDataProvider<WorkerTreeNode>, vscode.Disposable {
  private readonly changeEmitter = new vscode.EventEmitter<WorkerTreeNode | WorkerTreeNode[] | undefined>();
  readonly onDidChangeTreeData = this.changeEmitter.event;
  private master: MasterNode | undefined;
  private workers: WorkerNode[] = [];
  private message: MessageNode | undefined;
  /** Shown above everything else (the untrusted-workspace explanation). */
  private notice: MessageNode | undefined;
  private readonly clock = setInterval(() => this.tick(), CLOCK_TICK_MS);
  /** Set by the view's visibility: a hidden view needs no clock. */
  visible = false;

  getTreeItem(node: WorkerTreeNode): vscode.TreeItem {
    return node;
  }

  getChildren(node?: WorkerTreeNode): WorkerTreeNode[] {
    if (!node) return [...(this.notice ? [this.notice] : []), ...(this.message ? [this.message] : this.master ? [this.master] : [])];
    return node instanceof MasterNode ? this.workers : [];
  }

  getParent(node: WorkerTreeNode): WorkerTreeNode | undefined {
    return node instanceof WorkerNode ? node.parent : undefined;
  }

  setNotice(notice: MessageNode | undefined): void {
    if (this.notice?.id === notice?.id) return;
    this.notice = notice;
    this.changeEmitter.fire(undefined);
  }

  /** Shows a message instead of the status (not connected, untrusted, …); undefined clears the view. */
  showMessage(message: MessageNode | undefined): void {
    if (this.message?.id === message?.id && this.message?.tooltip === message?.tooltip && !this.master) return;
    this.message = message;
    this.master = undefined;
    this.workers = [];
    this.changeEmitter.fire(undefined);
  }

  showStatus(snapshot: StatusSnapshot, now = Date.now()): void {
    if (!this.master || this.message) {
      this.message = undefined;
      this.master = new MasterNode(snapshot, now);
      this.workers = snapshot.workers.map((worker) => this.newWorker(this.master!, worker, snapshot.workers, now));
      this.changeEmitter.fire(undefined);
      return;
    }
    const master = this.master;
    const masterChanged = master.update(snapshot, now);
    const existing = new Map(this.workers.map((node) => [node.id, node]));
    const sameShape = snapshot.workers.length === this.workers.length && snapshot.workers.every((worker, index) => this.workers[index]!.id === workerItemId(worker));
    const changed: WorkerTreeNode[] = [];
    this.workers = snapshot.workers.map((worker) => {
      const node = existing.get(workerItemId(worker));
      if (!node) return this.newWorker(master, worker, snapshot.workers, now);
      if (node.update(worker, snapshot.workers, now)) changed.push(node);
      return node;
    });
    if (!sameShape) this.changeEmitter.fire(master);
    else if (masterChanged || changed.length > 0) this.changeEmitter.fire(masterChanged ? [master, ...changed] : changed);
  }

  /** The node of a worker, for reveal. */
  workerNode(name: string, instance = 0): WorkerNode | undefined {
    return this.workers.find((node) => node.worker.name === name && node.worker.instance === instance && !node.worker.draining);
  }

  dispose(): void {
    clearInterval(this.clock);
    this.changeEmitter.dispose();
  }

  private newWorker(master: MasterNode, worker: WorkerStatus, all: readonly WorkerStatus[], now: number): WorkerNode {
    const node = new WorkerNode(master, worker);
    node.update(worker, all, now);
    return node;
  }

  private tick(): void {
    if (this.visible && this.master && !this.message) this.showStatus(this.master.snapshot);
  }
}
