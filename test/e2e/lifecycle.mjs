// e2e steps for worker and master lifecycle as the tree shows it: a worker
// stopped from the tree reads "stopped" (not its exit code) with its own
// icon, and its uptime counts up after a start; a first start with a broken
// config says nothing was started (no "last good workers"), and a fixed
// config then starts them.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { notification, runCommand, treeRow, waitForStatusText } from './ui.mjs';

/** Clicks a row's inline action (they show on hover). */
async function inlineAction(page, row, label) {
  await row.hover();
  await row.locator(`.action-label[aria-label="${label}"]`).click({ timeout: 10_000 });
}

async function waitForAriaLabel(row, pattern, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  let label = '';
  while (Date.now() < deadline) {
    label = (await row.getAttribute('aria-label').catch(() => '')) ?? '';
    if (pattern.test(label)) return label;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`tree row never matched ${pattern}; last aria-label ${JSON.stringify(label)}`);
}

/** QA: "ticker exited (143)" with the crashed-worker icon after a Stop, and "up 0s" for 20 s after a Start. */
export async function stopStartStep(page, worker) {
  await inlineAction(page, treeRow(page, `${worker}: `).first(), 'Stop Worker');
  const stopped = treeRow(page, `${worker}: stopped`).first();
  await stopped.waitFor({ timeout: 20_000 });
  if (!(await stopped.locator('.codicon-debug-stop').count())) throw new Error(`a stopped ${worker} lacks the stop icon`);
  await inlineAction(page, stopped, 'Start Worker');
  const running = treeRow(page, `${worker}: running`).first();
  await running.waitFor({ timeout: 20_000 });
  await waitForAriaLabel(running, /up [3-9]s/, 10_000);
}

/**
 * A refused start said in Steward's words, with the failed dependency's log a
 * click away: web's dependency api cannot start while another program holds
 * its port 4701; once that one is gone, Start brings both up.
 */
export async function refusedStartStep(page) {
  for (const worker of ['web', 'api']) {
    await inlineAction(page, treeRow(page, `${worker}: `).first(), 'Stop Worker');
    await treeRow(page, `${worker}: stopped`).first().waitFor({ timeout: 20_000 });
  }
  const squatter = net.createServer();
  await new Promise((resolve, reject) => squatter.once('error', reject).listen(4701, '127.0.0.1', resolve));
  try {
    await inlineAction(page, treeRow(page, 'web: stopped').first(), 'Start Worker');
    const toast = notification(page, 'web was not started');
    await toast.waitFor({ timeout: 30_000 });
    const text = await toast.innerText();
    if (!/Steward: web was not started: dependency api failed to start: port 4701 is already in use by pid \d+/.test(text)) throw new Error(`unexpected refusal: ${text}`);
    await toast.locator('.monaco-button', { hasText: 'Show Logs' }).click({ timeout: 10_000 });
    await page.locator('.terminal-tab, .single-terminal-tab', { hasText: 'Steward: api' }).first().waitFor({ timeout: 15_000 });
    await treeRow(page, 'api: failed').first().waitFor({ timeout: 10_000 });
  } finally {
    await new Promise((resolve) => squatter.close(resolve));
  }
  await inlineAction(page, treeRow(page, 'web: ').first(), 'Start Worker');
  await treeRow(page, 'web: ready').first().waitFor({ timeout: 30_000 });
  await treeRow(page, 'api: ready').first().waitFor({ timeout: 5_000 });
}

/** QA: a first start with a broken config said the last good workers keep running, with none running. */
export async function firstStartBrokenStep(page, dirs) {
  const file = path.join(dirs.workspace, 'steward.yaml');
  const good = fs.readFileSync(file, 'utf8');
  await runCommand(page, 'Steward: Stop All');
  await notification(page, 'Steward stopped').waitFor({ timeout: 30_000 });
  fs.writeFileSync(file, good.replace('restart: on-failure', 'restrat: on-failure'));
  await treeRow(page, 'No Steward master serves').click({ timeout: 20_000 }); // a message row's aria-label is its tooltip
  const toast = notification(page, 'Steward could not start the workers');
  await toast.waitFor({ timeout: 30_000 });
  const text = await toast.innerText();
  if (!/Nothing was started/.test(text) || /last good workers/.test(text)) throw new Error(`unexpected first-start message: ${text}`);
  await waitForStatusText(page, /Steward: wait mode · nothing started/);
  fs.writeFileSync(file, good);
  await runCommand(page, 'Steward: Reload Workers');
  await notification(page, 'Wait mode ended').waitFor({ timeout: 30_000 });
  await waitForStatusText(page, /^Steward: gen \d+ · \d+\/\d+ ready$/);
}
