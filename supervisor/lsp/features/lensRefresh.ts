/**
 * Asks the client to re-request code lenses when the master's state changes
 * (a worker started, a reload finished), so live state and the reload plan
 * never go stale. Coalesced: a burst of changes (50 workers starting)
 * becomes one refresh. Only clients that declared `workspace.codeLens.refreshSupport`
 * and have the master's config open are asked.
 */
import { CodeLensRefreshRequest, type Connection } from 'vscode-languageserver';

export const LENS_REFRESH_MS = 100;

export class LensRefresher {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly connection: Connection,
    /** Whether this client supports refreshes and has a document open that shows live lenses. */
    private readonly wanted: () => boolean,
  ) {}

  changed(): void {
    if (!this.wanted()) return;
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      void this.connection.sendRequest(CodeLensRefreshRequest.type).catch(() => undefined);
    }, LENS_REFRESH_MS);
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
