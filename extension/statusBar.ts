/**
 * The status bar item: `Steward: gen 4 · 5/5 ready`, a warning background in
 * wait mode; a click focuses the Workers view. Text and colours come from the
 * pure `statusBarView`.
 */
import * as vscode from 'vscode';
import type { StatusSnapshot } from '../shared/protocol';
import { statusBarView, type ConnectionState } from './render';

export class StatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('steward.status', vscode.StatusBarAlignment.Left, 10);

  constructor() {
    this.item.name = 'Steward';
    this.item.command = 'steward.workers.focus';
  }

  update(connection: ConnectionState, snapshot: StatusSnapshot | undefined): void {
    if (connection === 'noConfig') {
      this.item.hide();
      return;
    }
    const view = statusBarView(connection, snapshot);
    this.item.text = view.text;
    this.item.tooltip = view.tooltip;
    this.item.backgroundColor = view.backgroundColor ? new vscode.ThemeColor(view.backgroundColor) : undefined;
    this.item.show();
  }

  dispose(): void {
    this.item.dispose();
  }
}
