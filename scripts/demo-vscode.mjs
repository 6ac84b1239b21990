#!/usr/bin/env node
// npm run demo:vscode — try Steward in a real VS Code without touching your
// own editor: setup (cached) → package the .vsix → install it into a private
// code-server → open examples/demo → print the loopback URL. Ctrl-C stops
// code-server and the demo's master with its workers.
//   --port N   listen on 127.0.0.1:N (default: a free port)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO, ensureSetup, installVsix, log, packageVsix, startCodeServer, WORKBENCH_SETTINGS } from '../test/e2e/workbench.mjs';
import { stopMasterAndCheck } from '../test/e2e/master.mjs';

const portIndex = process.argv.indexOf('--port');
const port = portIndex > 0 ? Number(process.argv[portIndex + 1]) : undefined;

ensureSetup();
const vsix = packageVsix();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'steward-demo-'));
const dirs = {
  tmp,
  // The real example folder, so edits to it are yours to keep.
  workspace: path.join(REPO, 'examples/demo'),
  runtimeDir: path.join(tmp, 'runtime'),
  userDataDir: path.join(tmp, 'user-data'),
  extensionsDir: path.join(tmp, 'extensions'),
  configFile: path.join(tmp, 'code-server.yaml'),
  logFile: path.join(tmp, 'code-server.log'),
};
fs.mkdirSync(dirs.runtimeDir, { mode: 0o700 });
fs.writeFileSync(dirs.configFile, 'auth: none\ncert: false\n');
installVsix(vsix, dirs);
const server = await startCodeServer(dirs, { port, settings: { ...WORKBENCH_SETTINGS, 'workbench.startupEditor': 'readme' } });
log(`Steward demo: open ${server.url}/?folder=${encodeURIComponent(dirs.workspace)}`);
log('(Ctrl-C stops code-server, the demo master and its workers)');

let stopping = false;
async function shutdown(signal) {
  if (stopping) return;
  stopping = true;
  log(`${signal}: stopping`);
  await server.stop();
  const clean = await stopMasterAndCheck(dirs);
  fs.rmSync(tmp, { recursive: true, force: true });
  process.exit(clean ? 0 : 1);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
setInterval(() => {}, 1 << 30);
