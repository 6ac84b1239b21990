/**
 * Reload outcomes as notifications, never a flood: one warning when the
 * master enters wait mode (with "Show Problem" / "Show Logs"), one info when
 * it leaves it, and the outcome of a reload the user asked for. A reload
 * result is announced at most once, whichever of the pushed status and the
 * command's own response arrives first.
 */
import * as vscode from 'vscode';
import type { ReloadResult, StatusSnapshot } from '../shared/protocol';
import { nothingStarted, reloadOutcome } from './render';
import { WaitTracker } from './waitTracker';

const SHOW_PROBLEM = 'Show Problem';
const SHOW_LOGS = 'Show Logs';

export class ReloadAnnouncer {
  private readonly announced = new Set<string>();
  private readonly tracker = new WaitTracker();

  /** Called with every pushed status (however the reload was triggered): announces wait-mode transitions only. */
  onStatus(next: StatusSnapshot): void {
    const transition = this.tracker.next(next);
    if (transition === 'none' || !next.lastReload) return;
    this.announce(next.lastReload, transition === 'left', nothingStarted(next));
  }

  /** Called with the result of a reload the user asked for. */
  announce(result: ReloadResult, wasWaiting: boolean, nothingRunning = false): void {
    if (!result.dryRun) {
      const key = `${result.generation}@${result.at}`;
      if (this.announced.has(key)) return;
      this.announced.add(key);
    }
    const message = reloadOutcome(result, wasWaiting, nothingRunning);
    if (message.severity === 'info') {
      void vscode.window.showInformationMessage(message.text);
      return;
    }
    void vscode.window.showWarningMessage(message.text, SHOW_PROBLEM, SHOW_LOGS).then((choice) => {
      if (choice === SHOW_PROBLEM) void vscode.commands.executeCommand('steward.showProblem');
      if (choice === SHOW_LOGS) void vscode.commands.executeCommand('steward.showLogs');
    });
  }
}
