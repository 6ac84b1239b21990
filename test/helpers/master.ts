/**
 * Tests of the real master go through the built bundle (`npm run build`
 * first): `node dist/supervisor.js …` with an isolated runtime directory
 * (STEWARD_RUNTIME_DIR) and a leak marker in the environment, which the
 * master passes on to every worker and grandchild.
 *
 *   const ws = makeWorkspace('reload', yaml);
 *   try { await up(ws); … } finally { await cleanup(ws); }   // down, then no marked process may survive
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createMessageConnection, SocketMessageReader, SocketMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import type { StatusSnapshot } from '../../shared/protocol';
import { workspacePaths, type WorkspacePaths } from '../../supervisor/runtime/paths';
import { assertNoLeaks, killMarked, MARKER_VAR, newMarker, waitUntil } from './procs';

export const BUNDLE = resolve(__dirname, '../../dist/supervisor.js');

export interface Workspace {
  dir: string;
  config: string;
  marker: string;
  env: NodeJS.ProcessEnv;
  paths: WorkspacePaths;
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function makeWorkspace(label: string, yaml: string): Workspace {
  if (!existsSync(BUNDLE)) throw new Error(`${BUNDLE} is missing: run npm run build first`);
  const dir = mkdtempSync(join(tmpdir(), `steward-${label}-`));
  const runtime = mkdtempSync(join(tmpdir(), 'steward-rt-'));
  const marker = newMarker(label);
  const env = { ...process.env, STEWARD_RUNTIME_DIR: runtime, [MARKER_VAR]: marker, NO_COLOR: '1' };
  const config = join(dir, 'steward.yaml');
  writeFileSync(config, yaml);
  return { dir, config, marker, env, paths: workspacePaths(config, env) };
}

export function writeConfig(ws: Workspace, yaml: string): void {
  writeFileSync(ws.config, yaml);
}

/** Runs `steward ARGS` in the workspace directory. */
export function cli(ws: Workspace, args: string[], timeoutMs = 30_000): Promise<CliResult> {
  return new Promise((resolvePromise) => {
    execFile(process.execPath, [BUNDLE, ...args], { cwd: ws.dir, env: ws.env, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolvePromise({ code, stdout, stderr });
    });
  });
}

/** `steward up -d`; fails the test unless the master answers. */
export async function up(ws: Workspace, extra: string[] = []): Promise<CliResult> {
  const result = await cli(ws, ['up', '-d', ...extra]);
  if (result.code !== 0) throw new Error(`steward up -d exited ${result.code}:\n${result.stdout}${result.stderr}`);
  return result;
}

export async function status(ws: Workspace): Promise<StatusSnapshot> {
  const result = await cli(ws, ['status', '--json', '--config', ws.config]);
  if (result.code !== 0) throw new Error(`steward status exited ${result.code}: ${result.stderr}`);
  return JSON.parse(result.stdout) as StatusSnapshot;
}

/** name → pid of every worker (instance 0). */
export function pids(snapshot: StatusSnapshot): Record<string, number | null> {
  return Object.fromEntries(snapshot.workers.filter((w) => w.instance === 0).map((w) => [w.name, w.pid]));
}

/** Waits (also for a master still starting) until every worker is ready or running; returns that status. */
export async function waitForWorkersUp(ws: Workspace, timeoutMs = 15_000): Promise<StatusSnapshot> {
  let last: StatusSnapshot | undefined;
  await waitUntil(
    async () => {
      last = await status(ws).catch(() => undefined);
      if (!last) return false;
      return last.workers.length > 0 && last.workers.every((w) => w.state === 'ready' || w.state === 'running');
    },
    { timeoutMs, intervalMs: 100, message: 'every worker up' },
  );
  return last!;
}

/** A TCP port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolvePromise(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** Runs `body` on a fresh workspace and always cleans it up (see cleanup). */
export async function withWorkspace(label: string, yaml: string, body: (ws: Workspace) => Promise<void>): Promise<void> {
  const ws = makeWorkspace(label, yaml);
  try {
    await body(ws);
  } finally {
    await cleanup(ws);
  }
}

/**
 * Stops the master (if one runs), then checks that no process carrying the
 * workspace's marker survived — master, workers, grandchildren — and
 * removes the directories.
 */
export async function cleanup(ws: Workspace): Promise<void> {
  try {
    await cli(ws, ['down', '--config', ws.config], 20_000);
    await assertNoLeaks(ws.marker, { timeoutMs: 5_000 });
  } finally {
    killMarked(ws.marker);
    rmSync(ws.dir, { recursive: true, force: true });
    rmSync(ws.paths.dir, { recursive: true, force: true });
  }
}

/** A raw JSON-RPC connection to the workspace's master (what the CLI and the extension use). */
export async function connectRpc(ws: Workspace): Promise<{ connection: MessageConnection; socket: Socket }> {
  const socket = await new Promise<Socket>((resolvePromise, reject) => {
    const s = connect(ws.paths.socket);
    s.once('connect', () => resolvePromise(s));
    s.once('error', reject);
  });
  const connection = createMessageConnection(new SocketMessageReader(socket), new SocketMessageWriter(socket));
  connection.listen();
  return { connection, socket };
}

/** Runs `body` with a raw JSON-RPC connection to the master, closed afterwards. */
export async function withRpc<T>(ws: Workspace, body: (connection: MessageConnection) => Promise<T>): Promise<T> {
  const { connection, socket } = await connectRpc(ws);
  try {
    return await body(connection);
  } finally {
    connection.dispose();
    socket.destroy();
  }
}
