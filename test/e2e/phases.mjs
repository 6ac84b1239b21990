// The e2e phases that need a workbench of their own (a fresh code-server):
// an untrusted workspace, and a workspace without steward.yaml. Each cleans
// up after itself and returns whether it passed.
import fs from 'node:fs';
import path from 'node:path';
import { REPO, WORKBENCH_SETTINGS, installVsix, log, makeRunDirs, openWorkbench, startCodeServer, timed } from './workbench.mjs';
import { notification, openFile, openStewardView, replaceLine, treeRow, waitForStatusText } from './ui.mjs';
import { masterStatus, steward, stopMasterAndCheck, workerPids } from './master.mjs';

const OUT = path.join(REPO, 'test-results', 'e2e');

/** Runs `steps(page)` in a workbench on `dirs`; stops code-server and the master; true when all went well. */
async function inWorkbench(chromium, dirs, serverOptions, steps) {
  let server; let browser; let page; let ok = true;
  try {
    server = await startCodeServer(dirs, serverOptions);
    ({ browser, page } = await openWorkbench(chromium, server, {}));
    await steps(page, async (name) => { await page.screenshot({ path: path.join(OUT, name) }); log(`screenshot test-results/e2e/${name}`); });
  } catch (error) {
    ok = false;
    console.error(`FAILED: ${error.stack ?? error}`);
    if (page) await page.screenshot({ path: path.join(OUT, 'failure.png') }).catch(() => {});
    const rows = await page?.locator('[id="workbench.view.extension.steward"] .monaco-list-row').evaluateAll((all) => all.map((row) => row.getAttribute('aria-label'))).catch(() => []);
    console.error(`tree rows: ${JSON.stringify(rows)}`);
  } finally {
    await browser?.close().catch(() => {});
    if (server && !(await server.stop())) ok = false;
    if (!(await stopMasterAndCheck(dirs))) ok = false;
  }
  return ok;
}

/**
 * The demo workspace, untrusted (Workspace Trust on, nothing granted): the
 * view explains itself and offers to manage trust; the master serves status
 * and diagnostics but starts no worker (it lists them as not started).
 */
export function untrustedPhase(chromium, dirs) {
  const settings = { ...WORKBENCH_SETTINGS, 'security.workspace.trust.enabled': true };
  return inWorkbench(chromium, dirs, { trust: true, settings }, async (page, shot) => {
    await timed('step 7: untrusted workspace → "Manage Workspace Trust…", a master that runs no worker', async () => {
      await openStewardView(page);
      await page.locator('[id="workbench.view.extension.steward"] .monaco-list-row', { hasText: 'Manage Workspace Trust' }).waitFor({ timeout: 30_000 });
      await treeRow(page, 'Master: ').waitFor({ timeout: 30_000 });
      await waitForStatusText(page, /Steward: restricted/);
      const status = masterStatus(dirs);
      if (!status || status.workersEnabled !== false) throw new Error(`expected a master with workersEnabled false, got ${JSON.stringify(status)}`);
      if (status.workers.some((worker) => worker.pid !== null)) throw new Error(`workers run in an untrusted workspace: ${workerPids(status)}`);
      // The config's workers are listed as not started, with why, so the view shows what would run.
      const unexplained = status.workers.filter((worker) => worker.state !== 'exited' || !/not trusted/.test(worker.reason ?? ''));
      if (status.workers.length === 0 || unexplained.length > 0) throw new Error(`expected every worker listed as exited (not trusted), got ${JSON.stringify(status.workers)}`);
      await treeRow(page, `${status.workers[0].name}: exited`).first().waitFor({ timeout: 30_000 });
    });
    await shot('07-untrusted.png');
    await timed('step 7b: untrusted window + a master started from a terminal → a save reloads nothing, no Restart lens', () => untrustedControlStep(page, dirs));
    await shot('07b-untrusted-terminal-master.png');
  });
}

/**
 * QA: an untrusted window reloaded a terminal-started master on save (running the edited command)
 * and offered a working "Restart" code lens. It must look, never control.
 */
async function untrustedControlStep(page, dirs) {
  if (steward(dirs, ['down']).code !== 0) throw new Error('steward down failed');
  const up = steward(dirs, ['up', '-d']);
  if (up.code !== 0) throw new Error(`steward up -d exited ${up.code}: ${up.stderr}`);
  // The window either saw the `down` (it offers to start: a click connects to the new master) or reconnected by itself.
  const notRunning = treeRow(page, 'No Steward master serves'); // a message row's aria-label is its tooltip
  await notRunning.or(treeRow(page, 'Master: running')).first().waitFor({ timeout: 30_000 });
  if (await notRunning.count()) await notRunning.click();
  await treeRow(page, 'Master: running').waitFor({ timeout: 30_000 });
  const before = masterStatus(dirs);
  if (!before.workersEnabled) throw new Error('expected the terminal master to run workers');
  await openFile(page, 'steward.yaml');
  const lenses = page.locator('.monaco-editor .codelens-decoration a');
  await lenses.filter({ hasText: 'Logs' }).first().waitFor({ timeout: 30_000 });
  if (await lenses.filter({ hasText: /^Restart$/ }).count()) throw new Error('an untrusted window shows a Restart code lens');
  const text = fs.readFileSync(path.join(dirs.workspace, 'steward.yaml'), 'utf8');
  const line = text.split('\n').findIndex((l) => /^ {4}command: node flaky\.js$/.test(l)) + 1;
  await replaceLine(page, line, 'command: node flaky.js --edited-while-untrusted', { atOnce: true });
  await page.keyboard.press('Control+S');
  await notification(page, 'saved, not reloaded').waitFor({ timeout: 20_000 });
  await new Promise((resolve) => setTimeout(resolve, 1_500)); // well past the save debounce (300 ms)
  const after = masterStatus(dirs);
  if (after.reloads !== before.reloads || after.generation !== before.generation) {
    throw new Error(`a save in an untrusted window reloaded the master: reloads ${before.reloads} → ${after.reloads}, generation ${before.generation} → ${after.generation}`);
  }
}

/**
 * A workspace with a Procfile and no steward.yaml: the welcome view offers
 * "Create steward.yaml", which imports the Procfile (`steward init`), opens
 * the new file and starts its workers.
 */
export async function welcomePhase(chromium, vsix) {
  const dirs = makeRunDirs('steward-e2e-welcome-', path.join(REPO, 'test/e2e/fixtures/procfile-app'));
  installVsix(vsix, dirs);
  const ok = await inWorkbench(chromium, dirs, {}, async (page, shot) => {
    await timed('step 8: no config → welcome view → import the Procfile → its workers run', async () => {
      await openStewardView(page);
      const create = page.locator('[id="workbench.view.extension.steward"] .monaco-button', { hasText: 'Create steward.yaml' });
      await create.waitFor({ timeout: 30_000 });
      await shot('08-welcome.png');
      await create.click();
      await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Import from Procfile' }).click({ timeout: 20_000 });
      for (const name of ['web', 'clock']) await treeRow(page, `${name}: running`).waitFor({ timeout: 30_000 });
      const written = fs.readFileSync(path.join(dirs.workspace, 'steward.yaml'), 'utf8');
      if (!/^ {2}web:/m.test(written) || !/^ {2}clock:/m.test(written)) throw new Error(`unexpected steward.yaml:\n${written}`);
    });
    await shot('08-imported.png');
  });
  fs.rmSync(dirs.tmp, { recursive: true, force: true });
  return ok;
}
