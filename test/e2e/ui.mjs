// Workbench interactions that worked on VS Code 1.139 / code-server 4.139.1
// (selectors from our vscode-e2e recipe). Attribute selectors ([id="a.b"])
// because the ids contain dots.
import { STATUS_ITEM } from './workbench.mjs';

const QUICK_INPUT = '.quick-input-widget .quick-input-box input';

/** F1, type a command's label, run it (the row's aria-label is the label, or `label, recently used`). */
export async function runCommand(page, label, { timeoutMs = 15_000, opensPick = false } = {}) {
  const input = page.locator(QUICK_INPUT);
  // The workbench may take the focus while the palette opens (a terminal it restores after a window
  // reload: seen in CI), which closes the palette under us; open it again then.
  for (let attempt = 1; ; attempt++) {
    try {
      await page.keyboard.press('F1');
      await input.waitFor({ state: 'visible', timeout: timeoutMs });
      await input.fill(`>${label}`, { timeout: 5_000 });
      break;
    } catch (error) {
      if (attempt === 3) throw error;
      await page.keyboard.press('Escape');
    }
  }
  const row = page.locator(`.quick-input-list .monaco-list-row[aria-label="${label}"], .quick-input-list .monaco-list-row[aria-label^="${label},"]`);
  await row.first().waitFor({ timeout: timeoutMs });
  await row.first().click();
  // A command that asks with a quick pick reuses the same widget: it stays open.
  if (!opensPick) await input.waitFor({ state: 'hidden', timeout: timeoutMs });
}

/** Locator for a notification toast containing text. */
export const notification = (page, text) => page.locator('.notifications-toasts .notification-toast', { hasText: text });

/** Closes every notification (so the next screenshot shows the next one alone). */
export async function clearNotifications(page) {
  await runCommand(page, 'Notifications: Clear All Notifications');
  await page.locator('.notifications-toasts .notification-toast').first().waitFor({ state: 'hidden', timeout: 5_000 }).catch(() => {});
}

/** Opens our view container from the activity bar (idempotent: a second click would close it). */
export async function openStewardView(page) {
  const container = page.locator('[id="workbench.view.extension.steward"]');
  if (await container.isVisible().catch(() => false)) return;
  await page.locator('.part.activitybar .action-item .action-label[aria-label^="Steward"]').first().click();
  await container.waitFor({ timeout: 15_000 });
}

/** A row of the Workers tree whose aria-label starts with the given text (`api: ready`, `Master: wait mode`). */
export const treeRow = (page, ariaPrefix) =>
  page.locator(`[id="workbench.view.extension.steward"] .monaco-list-row[aria-label^="${ariaPrefix}"]`);

export const statusItem = (page) => page.locator(`.part.statusbar [id="${STATUS_ITEM}"]`);

/** Waits until the status bar item's text matches. */
export async function waitForStatusText(page, pattern, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  let text = '';
  while (Date.now() < deadline) {
    text = (await statusItem(page).innerText().catch(() => '')).trim();
    if (pattern.test(text)) return text;
    await page.waitForTimeout(200);
  }
  throw new Error(`status bar item never matched ${pattern}; last text ${JSON.stringify(text)}`);
}

/** Opens the Problems panel and returns a locator for its rows. */
export async function openProblems(page) {
  await page.keyboard.press('Control+Shift+M');
  await page.locator('.markers-panel').waitFor({ timeout: 15_000 });
  return page.locator('.markers-panel .monaco-list-row');
}

/** Quick Open (Ctrl+P) a workspace file and wait for its editor. */
export async function openFile(page, name, { timeoutMs = 15_000 } = {}) {
  const input = page.locator(QUICK_INPUT);
  await page.keyboard.press('Control+P');
  await input.waitFor({ state: 'visible', timeout: timeoutMs });
  await input.fill(name);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: name }).first().waitFor({ timeout: timeoutMs });
  await page.keyboard.press('Enter');
  await page.locator(`.tabs-container .tab[aria-label^="${name}"]`).first().waitFor({ timeout: timeoutMs });
  await page.locator('.monaco-editor .view-lines').first().waitFor({ timeout: timeoutMs });
}

/**
 * Replaces one line of the focused editor (1-based) by typing, as a user
 * would; `atOnce` inserts it as one edit (as a paste does), so the language
 * server publishes diagnostics for the final text only.
 */
export async function replaceLine(page, line, text, { atOnce = false } = {}) {
  const input = page.locator(QUICK_INPUT);
  await page.keyboard.press('Control+G');
  await input.waitFor({ state: 'visible' });
  await input.fill(`:${line}`);
  await page.keyboard.press('Enter');
  await input.waitFor({ state: 'hidden' });
  await page.keyboard.press('Home');
  await page.keyboard.press('Shift+End');
  if (atOnce) await page.keyboard.insertText(text);
  else await page.keyboard.type(text);
}
