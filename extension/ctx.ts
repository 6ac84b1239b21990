/**
 * The extension's context: the master client, the latest status, and the
 * views that render it (tree, status bar, notifications, context keys).
 * Two cleanup scopes: `disposables` live as long as the extension; the
 * client's connection is replaced by `start()` and dropped by `detach()`.
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { ReloadRequest, type StatusSnapshot } from '../shared/protocol';
import { describe, MasterClient, type MasterLaunch } from './client';
import { affectsConnection, readSettings, workspaceFolder, type StewardSettings } from './config';
import { LogTerminals } from './logs';
import type { ConnectionState } from './render';
import { StatusBar } from './statusBar';
import { mayControl, UNTRUSTED_SAVE_MESSAGE } from './controlRule';
import { explainUntrusted, mayRunWorkers, onTrustGranted } from './trust';
import { ReloadAnnouncer } from './waitMode';
import { messageFor, WorkerTree } from './workerTree';

export class Ctx implements vscode.Disposable {
  readonly output = vscode.window.createOutputChannel('Steward', { log: true });
  readonly client = new MasterClient(() => this.launch(), this.output);
  readonly tree = new WorkerTree();
  readonly announcer = new ReloadAnnouncer();
  readonly logs = new LogTerminals(this.client);
  readonly view = vscode.window.createTreeView('steward.workers', { treeDataProvider: this.tree });
  private readonly statusBar = new StatusBar();
  /** The latest status while connected; kept across reconnects. */
  snapshot: StatusSnapshot | undefined;
  /** Set when there is no config: nothing to connect to, the welcome view shows. */
  private gate: 'noConfig' | undefined;
  private lastError: string | undefined;
  private readonly contextKeys = new Map<string, boolean>();
  private saveTimer: NodeJS.Timeout | undefined;
  /** Set when a command saved the config itself and reloads explicitly. */
  skipNextSaveReload = false;
  private untrustedSaveExplained = false;
  private readonly disposables: vscode.Disposable[];

  constructor(private readonly extensionPath: string) {
    this.disposables = [
      this.output, this.client, this.tree, this.logs, this.view, this.statusBar,
      this.client.onStatus((snapshot) => this.onStatus(snapshot)),
      this.client.onConnection(() => this.render()),
      this.view.onDidChangeVisibility(({ visible }) => (this.tree.visible = visible)),
      onTrustGranted(() => void this.onTrustGranted()),
      vscode.workspace.onDidSaveTextDocument((document) => this.onSaved(document)),
      vscode.workspace.onDidChangeConfiguration((event) => affectsConnection(event) && void this.restart()),
      ...this.watchConfigFile(),
    ];
    this.tree.visible = this.view.visible;
  }

  settings(): StewardSettings | undefined {
    const folder = workspaceFolder();
    return folder && readSettings(folder, this.extensionPath);
  }

  get connection(): ConnectionState {
    return this.gate ?? this.client.connection;
  }

  /** Connects to (or spawns) the master, unless there is no config. Untrusted: a master that runs no worker. */
  async start(): Promise<void> {
    const settings = this.settings();
    this.gate = !settings || !existsSync(settings.configPath) ? 'noConfig' : undefined;
    this.lastError = undefined;
    this.render();
    if (this.gate) return;
    try {
      await this.client.start();
    } catch (error) {
      this.lastError = describe(error);
      this.output.error(`could not start or reach the master: ${this.lastError}`);
      this.render();
      void vscode.window.showErrorMessage(`Steward: could not start the master: ${this.lastError.split('\n')[0]}`, 'Show Output').then((choice) => choice && this.output.show());
    }
  }

  async restart(): Promise<void> {
    await this.client.detach();
    await this.start();
  }

  dispose(): void {
    clearTimeout(this.saveTimer);
    for (const disposable of this.disposables) disposable.dispose();
  }

  private launch(): MasterLaunch {
    const settings = this.settings();
    if (!settings) throw new Error('no workspace folder is open');
    return { configPath: settings.configPath, masterPath: settings.masterPath, stopWorkersOnExit: settings.stopWorkersOnExit, untrusted: !mayRunWorkers() };
  }

  /** A master started for an untrusted workspace runs no workers: replace it by one that does. */
  private async onTrustGranted(): Promise<void> {
    if (this.client.connected && this.snapshot?.workersEnabled === false) {
      await this.client.down(this.snapshot.pid).catch((error: unknown) => this.output.warn(`stopping the untrusted master: ${describe(error)}`));
    }
    await this.start();
  }

  private onStatus(snapshot: StatusSnapshot): void {
    this.snapshot = snapshot;
    this.announcer.onStatus(snapshot);
    this.render();
  }

  private render(): void {
    const connection = this.connection;
    const live = connection === 'connected' ? this.snapshot : undefined;
    if (live) this.tree.showStatus(live);
    else this.tree.showMessage(messageFor(connection, this.lastError));
    this.tree.setNotice(mayRunWorkers() ? undefined : messageFor('untrusted', undefined));
    this.statusBar.update(connection, live);
    this.setContext('steward.connected', live !== undefined);
    this.setContext('steward.waitMode', live?.state === 'wait');
    this.setContext('steward.hasConfig', this.gate !== 'noConfig');
  }

  private setContext(key: string, value: boolean): void {
    if (this.contextKeys.get(key) === value) return;
    this.contextKeys.set(key, value);
    void vscode.commands.executeCommand('setContext', key, value);
  }

  /** Reload on save, debounced; its outcome shows through wait-mode transitions only (no flood while typing). */
  private onSaved(document: vscode.TextDocument): void {
    const settings = this.settings();
    const reloads = document.uri.fsPath === settings?.configPath || this.snapshot?.envFiles?.includes(document.uri.fsPath);
    if (!settings || !reloads || !settings.reloadOnSave || !this.client.connected) return;
    if (this.skipNextSaveReload) {
      this.skipNextSaveReload = false;
      return;
    }
    if (!mayControl(mayRunWorkers(), this.snapshot)) {
      // Said once per window: every save of an untrusted workspace would otherwise repeat it.
      if (!this.untrustedSaveExplained) explainUntrusted(UNTRUSTED_SAVE_MESSAGE);
      this.untrustedSaveExplained = true;
      return;
    }
    clearTimeout(this.saveTimer);
    this.saveTimer = setTimeout(() => {
      this.client.request(ReloadRequest.type, { trigger: 'save' }).catch((error: unknown) => this.output.error(`reload on save: ${describe(error)}`));
    }, settings.reloadOnSaveDelayMs);
  }

  /** A config that appears starts the master; one that disappears is the master's business (wait mode). */
  private watchConfigFile(): vscode.Disposable[] {
    const folder = workspaceFolder();
    const settings = this.settings();
    if (!folder || !settings) return [];
    const relative = path.relative(folder.uri.fsPath, settings.configPath);
    const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(folder, relative), false, true, true);
    return [watcher, watcher.onDidCreate(() => this.gate === 'noConfig' && void this.start())];
  }
}
