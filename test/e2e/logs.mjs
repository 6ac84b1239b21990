// e2e step for worker logs: "Steward: Show Logs…" → pick a worker → its log
// terminal shows the recent tail and then follows new lines.
import { runCommand } from './ui.mjs';

/** Text of the visible terminal's rows (the DOM renderer: terminal.integrated.gpuAcceleration is off). */
const terminalText = (page) => page.locator('.terminal .xterm-rows').last().innerText({ timeout: 2_000 }).catch(() => '');

async function waitForText(page, pattern, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  let text = '';
  while (Date.now() < deadline) {
    text = await terminalText(page);
    if (pattern.test(text)) return text;
    await page.waitForTimeout(300);
  }
  throw new Error(`the log terminal never showed ${pattern}; it shows:\n${text}`);
}

/** `worker` must print lines matching `linePattern` at least every few seconds (the demo's ticker: every 5 s). */
export async function logsStep(page, worker, linePattern) {
  await runCommand(page, 'Steward: Show Logs…', { opensPick: true });
  await page.locator(`.quick-input-list .monaco-list-row[aria-label^="${worker}"]`).first().click({ timeout: 15_000 });
  await page.locator('.terminal-tab, .single-terminal-tab', { hasText: `Steward: ${worker}` }).first().waitFor({ timeout: 15_000 }).catch(() => {});
  const tail = await waitForText(page, linePattern, 15_000);
  const before = tail.split('\n').filter((line) => linePattern.test(line)).length;
  // Following: a new line arrives without asking again.
  await waitForText(page, { test: (text) => text.split('\n').filter((line) => linePattern.test(line)).length > before }, 15_000);
}
