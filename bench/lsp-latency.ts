/**
 * Keystroke → diagnostics latency of the master's language server on a
 * 200-worker steward.yaml, over the real socket: an incremental didChange
 * of one character, timed until its publishDiagnostics arrives (the target
 * is 50 ms). Each change alternates a valid and a misspelt value, so every
 * publish is a fresh check. After each publish, a hover, the code lenses and
 * the outline are asked for: they share that check, so they answer without
 * parsing again. Writes bench/lsp-results.json. Run: npm run bench:lsp
 * (builds first; the master runs --untrusted, so no worker command runs).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { createMessageConnection, SocketMessageReader, SocketMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import { CodeLensRequest, DocumentSymbolRequest, HoverRequest, PublishDiagnosticsNotification, type Diagnostic } from 'vscode-languageserver';
import { workspacePaths } from '../supervisor/runtime/paths';
import { latencySummary } from './lib/stats';

const WORKERS = 200;
const WARMUP_CHANGES = 20;
const MEASURED_CHANGES = 200;
const TARGET_MS = 50;
const BUNDLE = resolve(__dirname, '../dist/supervisor.js');

/** A realistic worker: every kind of key, flow and block style, dependencies on the previous workers. */
function workerYaml(index: number): string {
  const port = 20_000 + index;
  const probe = [`tcp: ${port}`, `http: "http://127.0.0.1:${port}/health"`, 'log: "ready in \\\\d+ms"'][index % 3];
  const needs = index === 0 ? [] : [`      worker-${index - 1}: ready`, ...(index > 1 ? [`      worker-${index - 2}: started`] : [])];
  return [
    `  worker-${index}:`,
    `    command: ${index % 2 === 0 ? 'node server.js' : 'npm run dev'}`,
    `    env: { PORT: "${port}", LOG_LEVEL: debug }`,
    `    ports: [${port}]`,
    '    ready:',
    `      ${probe}`,
    '      timeout: 20s',
    `    restart: ${index % 2 === 0 ? 'always' : 'on-failure'}`,
    ...(needs.length > 0 ? ['    depends_on:', ...needs] : []),
  ].join('\n');
}

const summary = (samples: number[]) => latencySummary(samples, 2);

async function connectLsp(socketPath: string): Promise<MessageConnection> {
  const socket = await new Promise<import('node:net').Socket>((done, fail) => {
    const s = connect(socketPath);
    s.once('connect', () => done(s));
    s.once('error', fail);
  });
  const connection = createMessageConnection(new SocketMessageReader(socket), new SocketMessageWriter(socket));
  connection.onClose(() => socket.destroy());
  connection.listen();
  return connection;
}

interface Session {
  connection: MessageConnection;
  uri: string;
  text: string;
  version: number;
  /** Resolves with the next publishDiagnostics (changes are sent one at a time, so it is this change's). */
  nextPublish(): Promise<Diagnostic[]>;
}

async function openSession(socketPath: string, uri: string, text: string): Promise<Session> {
  const connection = await connectLsp(socketPath);
  let published: (diagnostics: Diagnostic[]) => void = () => undefined;
  connection.onNotification(PublishDiagnosticsNotification.type, (params) => published(params.diagnostics));
  const session: Session = { connection, uri, text, version: 1, nextPublish: () => new Promise((done) => (published = done)) };
  await connection.sendRequest('initialize', { processId: null, rootUri: null, capabilities: {} });
  // Opened before `initialized`: the server then publishes once, for this document (not the file on disk too).
  await connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'yaml', version: 1, text } });
  const opened = session.nextPublish();
  await connection.sendNotification('initialized', {});
  await opened;
  return session;
}

interface Timings {
  diagnosticsMs: number[];
  featuresMs: number[];
}

/**
 * Types one character at a time into worker-100's restart value, alternating
 * `always` ⇄ `alwayz` (an even number of changes leaves the text as it was).
 */
async function typeAndMeasure(session: Session, timings: Timings, changes: number): Promise<void> {
  const { connection, uri, text } = session;
  const offset = text.indexOf('restart: always', text.indexOf('  worker-100:')) + 'restart: alway'.length;
  const before = text.slice(0, offset);
  const position = { line: before.split('\n').length - 1, character: offset - before.lastIndexOf('\n') - 1 };
  const range = { start: position, end: { line: position.line, character: position.character + 1 } };
  for (let change = 0; change < changes; change++) {
    const arrived = session.nextPublish();
    const start = performance.now();
    session.version += 1;
    await connection.sendNotification('textDocument/didChange', { textDocument: { uri, version: session.version }, contentChanges: [{ range, text: change % 2 === 0 ? 'z' : 's' }] });
    const diagnostics = await arrived;
    timings.diagnosticsMs.push(performance.now() - start);
    if (diagnostics.length !== (change % 2 === 0 ? 1 : 0)) throw new Error(`unexpected diagnostics after change ${change}: ${JSON.stringify(diagnostics)}`);
    const featuresStart = performance.now();
    await Promise.all([
      connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: { line: position.line, character: 5 } }),
      connection.sendRequest(CodeLensRequest.type, { textDocument: { uri } }),
      connection.sendRequest(DocumentSymbolRequest.type, { textDocument: { uri } }),
    ]);
    timings.featuresMs.push(performance.now() - featuresStart);
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'steward-lsp-bench-'));
  const env = { ...process.env, STEWARD_RUNTIME_DIR: mkdtempSync(join(tmpdir(), 'steward-rt-')) };
  const config = join(dir, 'steward.yaml');
  const text = `version: 1\nworkers:\n${Array.from({ length: WORKERS }, (_, index) => workerYaml(index)).join('\n')}\n`;
  writeFileSync(config, text);
  const steward = (...args: string[]) => execFileSync(process.execPath, [BUNDLE, ...args, '--config', config], { cwd: dir, env, stdio: 'ignore' });
  steward('up', '-d', '--untrusted');
  try {
    const session = await openSession(workspacePaths(config, env).socket, pathToFileURL(config).href, text);
    await typeAndMeasure(session, { diagnosticsMs: [], featuresMs: [] }, WARMUP_CHANGES);
    const timings: Timings = { diagnosticsMs: [], featuresMs: [] };
    await typeAndMeasure(session, timings, MEASURED_CHANGES);
    session.connection.dispose();
    report(text, timings);
  } finally {
    steward('down');
    rmSync(dir, { recursive: true, force: true });
    rmSync(env.STEWARD_RUNTIME_DIR, { recursive: true, force: true });
  }
}

function report(text: string, timings: Timings): void {
  const results = {
    benchmark: 'didChange → publishDiagnostics over the master socket',
    workers: WORKERS,
    lines: text.split('\n').length - 1,
    bytes: Buffer.byteLength(text),
    warmupChanges: WARMUP_CHANGES,
    changes: MEASURED_CHANGES,
    diagnosticsMs: summary(timings.diagnosticsMs),
    /** Hover + code lenses + outline after each publish, answered from the shared check. */
    featuresAfterChangeMs: summary(timings.featuresMs),
    targetMs: TARGET_MS,
    loadAverage: loadavg().map((load) => Math.round(load * 100) / 100),
    node: process.version,
    at: new Date().toISOString(),
  };
  const { median, p95 } = results.diagnosticsMs;
  console.log(`didChange → publishDiagnostics, ${WORKERS} workers (${results.lines} lines), ${MEASURED_CHANGES} keystrokes after ${WARMUP_CHANGES} warm-up:`);
  console.log(`  median ${median} ms, p95 ${p95} ms (target ${TARGET_MS} ms; min ${results.diagnosticsMs.min}, max ${results.diagnosticsMs.max})`);
  console.log(`  hover + lenses + outline after each change: median ${results.featuresAfterChangeMs.median} ms, p95 ${results.featuresAfterChangeMs.p95} ms`);
  console.log(`  load average ${results.loadAverage.join(' ')}`);
  writeFileSync(join(__dirname, 'lsp-results.json'), `${JSON.stringify(results, null, 2)}\n`);
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
