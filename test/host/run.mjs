#!/usr/bin/env node
// npm run test:host — runs test/host/suite.ts INSIDE the extension host of a
// real VS Code (code-server), with this repository loaded as the development
// extension and a copy of examples/demo (or --example DIR) as the workspace
// (private STEWARD_RUNTIME_DIR). Exit code = the extension host's.
//
// How (from our vscode-e2e recipe): code-server with `--vscode-option
// enable-smoke-test-driver`, the page opened with a `payload` naming
// extensionDevelopmentPath and extensionTestsPath; the workbench calls
// window.codeAutomationExit(code) when the suite's run() settles.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { format } from 'node:util';
import * as esbuild from 'esbuild';
import { REPO, ensureSetup, log, makeRunDirs, openWorkbench, startCodeServer, timed } from '../e2e/workbench.mjs';
import { stopMasterAndCheck } from '../e2e/master.mjs';

const OUT = path.join(REPO, 'test-results', 'host');
const TIMEOUT_MS = 240_000;
// Workbench start-up chatter that is not test output.
const NOISE = /^(Resolving connection token|Resolved connection token|Creating a socket|\[reconnection-grace-time\]|Updating additional builtin extensions cache|\[Service Worker\]|\[AgentHost|\[AccountPolicyGate\]|Failed to load resource|Failed: getaddrinfo|The web worker extension host|An iframe which has both|\s+at )/;

const chromium = ensureSetup();
// The minified build, as the .vsix ships it (activation time is measured on it).
execFileSync(process.execPath, ['esbuild.mjs', '--minify'], { cwd: REPO, stdio: ['ignore', 'ignore', 'inherit'] });
const exampleIndex = process.argv.indexOf('--example');
const example = exampleIndex > 0 ? path.resolve(process.argv[exampleIndex + 1]) : path.join(REPO, 'examples/demo');
const dirs = makeRunDirs('steward-host-', example);
const suite = path.join(dirs.tmp, 'suite.js');
await esbuild.build({ entryPoints: [path.join(REPO, 'test/host/suite.ts')], outfile: suite, bundle: true, platform: 'node', format: 'cjs', external: ['vscode'], logLevel: 'warning' });
fs.mkdirSync(OUT, { recursive: true });
const consoleLog = path.join(OUT, 'browser-console.log');
fs.writeFileSync(consoleLog, '');

let server; let browser; let exitCode = 1;
try {
  server = await timed('start code-server', () => startCodeServer(dirs, { extraArgs: ['--vscode-option', 'enable-smoke-test-driver'] }));
  const remote = (file) => `vscode-remote://127.0.0.1:${server.port}${file}`;
  const payload = [['extensionDevelopmentPath', remote(REPO)], ['extensionTestsPath', remote(suite)]];
  let resolveExit;
  const exited = new Promise((resolve) => { resolveExit = resolve; });
  ({ browser } = await openWorkbench(chromium, server, {
    query: `&payload=${encodeURIComponent(JSON.stringify(payload))}`,
    before: async (page) => {
      await page.exposeFunction('codeAutomationExit', (code) => resolveExit(code));
      page.on('console', (message) => relay(message));
    },
  }));
  let timer;
  const code = await timed('tests in the extension host', () => Promise.race([exited, new Promise((r) => { timer = setTimeout(() => r('timeout'), TIMEOUT_MS); })]));
  clearTimeout(timer);
  exitCode = code === 'timeout' ? 1 : Number(code);
  if (code === 'timeout') log(`TIMEOUT: codeAutomationExit never called (see ${consoleLog})`);
} catch (error) {
  console.error(`FAILED: ${error.stack ?? error}`);
} finally {
  if (browser) await browser.close().catch(() => {});
  if (server) log(`code-server process group ${server.pid} ${(await server.stop()) ? 'stopped' : 'STILL ALIVE'}`);
  if (!(await stopMasterAndCheck(dirs))) exitCode ||= 1;
  fs.rmSync(dirs.tmp, { recursive: true, force: true });
  log(`host tests -> ${exitCode === 0 ? 'PASS' : 'FAIL'}`);
  process.exitCode = exitCode;
}

/** Extension-host console output arrives as console.log('%c INFO', 'color…', fmt, ...args). */
async function relay(message) {
  let args = await Promise.all(message.args().map((arg) => arg.jsonValue().catch(() => String(arg))));
  if (typeof args[0] === 'string' && args[0].startsWith('%c')) args = args.slice(2);
  const text = args.length ? format(...args) : message.text();
  fs.appendFileSync(consoleLog, `[${message.type()}] ${text}\n`);
  if (NOISE.test(text) || message.type() === 'error' || message.type() === 'warning') return;
  console.log(`  | ${text}`);
}
