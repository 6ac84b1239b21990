/**
 * The steward/* requests a client (extension, CLI) uses, over a real
 * connection: per-worker control, logs with follow pushes, and the final
 * answer to `steward/down` before the master exits.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  DownRequest,
  ErrorCodes,
  LogNotification,
  LogsRequest,
  RestartWorkerRequest,
  StartWorkerRequest,
  StopWorkerRequest,
  UnfollowLogsRequest,
  type LogLine,
} from '../../shared/protocol';
import { type MessageConnection, ErrorCodes as RpcErrorCodes } from 'vscode-jsonrpc/node';
import { linesOf } from '../../shared/logBlocks';
import { cli, connectRpc, withRpc, status, up, waitForWorkersUp, withWorkspace } from '../helpers/master';
import { isAlive, sleep, waitUntil } from '../helpers/procs';

const YAML = `version: 1
workers:
  talker:
    command: sh -c 'i=0; while true; do i=$((i+1)); echo "line $i"; sleep 0.1; done'
  quiet:
    command: sleep 300
    replicas: 2
`;

const TWO_TALKERS = `version: 1
workers:
  left:
    command: sh -c 'i=0; while true; do i=$((i+1)); echo "line $i"; sleep 0.05; done'
  right:
    command: sh -c 'i=0; while true; do i=$((i+1)); echo "line $i"; sleep 0.05; done'
`;

/** A master for `yaml` and an RPC connection to it, with every line it pushes collected in `pushed`. */
function withLogPushes(name: string, yaml: string, body: (connection: MessageConnection, pushed: LogLine[]) => Promise<void>): Promise<void> {
  return withWorkspace(name, yaml, async (ws) => {
    await up(ws);
    await waitForWorkersUp(ws);
    await withRpc(ws, async (connection) => {
      const pushed: LogLine[] = [];
      connection.onNotification(LogNotification.type, ({ blocks }) => {
        pushed.push(...blocks.flatMap(linesOf));
      });
      await body(connection, pushed);
    });
  });
}

describe('steward/* requests', () => {
  test('stop, start and restart a worker; an unknown worker gets its error code', () =>
    withWorkspace('requests-control', YAML, async (ws) => {
      await up(ws);
      const before = await waitForWorkersUp(ws);
      await withRpc(ws, async (connection) => {
        const stopped = await connection.sendRequest(StopWorkerRequest.type, { name: 'quiet', instance: 1 });
        assert.deepEqual(stopped.map((w) => [w.instance, w.state]), [[1, 'exited']]);
        const started = await connection.sendRequest(StartWorkerRequest.type, { name: 'quiet', instance: 1 });
        assert.equal(started[0].state, 'running');
        const restarted = await connection.sendRequest(RestartWorkerRequest.type, { name: 'quiet' });
        assert.equal(restarted.length, 2);
        const oldPids = before.workers.filter((w) => w.name === 'quiet').map((w) => w.pid);
        assert.ok(restarted.every((w) => w.state === 'running' && !oldPids.includes(w.pid)));
        await assert.rejects(connection.sendRequest(StopWorkerRequest.type, { name: 'ghost' }), (error: { code: number }) => error.code === ErrorCodes.UnknownWorker);
      });
    }));

  test('logs returns recent lines and, with follow, pushes new ones until unfollow', () =>
    withLogPushes('requests-logs', YAML, async (connection, pushed) => {
      const recent = await connection.sendRequest(LogsRequest.type, { worker: 'talker', lines: 3, follow: true });
      assert.ok(recent.lines.length > 0 && recent.lines.length <= 3);
      await waitUntil(() => pushed.length >= 5, { message: 'followed lines' });
      assert.ok(pushed.every((line) => line.worker === 'talker'));
      const numbers = [...recent.lines, ...pushed].filter((l) => l.stream === 'stdout').map((l) => Number(l.text.split(' ')[1]));
      assert.ok(numbers.every((n, i) => i === 0 || n === numbers[i - 1] + 1), 'no line lost or repeated between snapshot and follow');
      await connection.sendRequest(UnfollowLogsRequest.type, {});
      const count = pushed.length;
      await new Promise((resolve) => setTimeout(resolve, 400));
      assert.ok(pushed.length <= count + 1, 'no more pushes after unfollow (one batch may have been in flight)');
    }));

  test('logs follows a set of workers, and another follow changes the set in place without losing or repeating a line', () =>
    withLogPushes('requests-logs-set', TWO_TALKERS, async (connection, pushed) => {
      const numbersOf = (worker: string) => pushed.filter((line) => line.worker === worker).map((line) => Number(line.text.split(' ')[1]));
      await connection.sendRequest(LogsRequest.type, { workers: ['left', 'ghost'], lines: 0, follow: true });
      await waitUntil(() => numbersOf('left').length >= 3, { message: 'lines of left' });
      assert.deepEqual(numbersOf('right'), [], 'right is not followed');
      await connection.sendRequest(LogsRequest.type, { workers: ['right', 'left'], lines: 0, follow: true });
      await waitUntil(() => numbersOf('right').length >= 3, { message: 'lines of right' });
      const left = numbersOf('left');
      assert.ok(left.every((n, i) => i === 0 || n === left[i - 1]! + 1), `left followed throughout, gapless: ${left.join(' ')}`);
      await connection.sendRequest(LogsRequest.type, { workers: ['ghost'], lines: 0, follow: true });
      const count = pushed.length;
      await sleep(400);
      assert.ok(pushed.length <= count + 2, 'nothing more once neither is followed (a batch may have been on its way)');
    }));

  test('logs with lines 0 returns none (with follow, only new lines); a negative or fractional count is refused', () =>
    withLogPushes('requests-logs-zero', YAML, async (connection, pushed) => {
      await waitUntil(async () => (await connection.sendRequest(LogsRequest.type, { worker: 'talker', lines: 2 })).lines.length === 2);
      assert.deepEqual((await connection.sendRequest(LogsRequest.type, { lines: 0 })).lines, []);
      const before = (await connection.sendRequest(LogsRequest.type, { worker: 'talker', lines: 1 })).lines[0]!;
      assert.deepEqual((await connection.sendRequest(LogsRequest.type, { worker: 'talker', lines: 0, follow: true })).lines, []);
      await waitUntil(() => pushed.length >= 2, { message: 'followed lines' });
      assert.ok(pushed.every((line) => line.time >= before.time && line.text !== before.text), 'only lines written after the request');
      for (const lines of [-1, 1.5]) {
        await assert.rejects(connection.sendRequest(LogsRequest.type, { lines }), (error: { code: number; message: string }) => error.code === RpcErrorCodes.InvalidParams && /'lines'/.test(error.message));
      }
    }));

  test('down answers, the master waits for the requester to hang up (the answer is never raced by the close), then exits at once', () =>
    withWorkspace('requests-down', YAML, async (ws) => {
      await up(ws, ['--editor', '--idle-timeout', '30s']);
      const { pid } = await waitForWorkersUp(ws);
      const { connection, socket } = await connectRpc(ws);
      const { stopped } = await connection.sendRequest(DownRequest.type, {});
      assert.equal(stopped, 3);
      await sleep(300);
      assert.equal(socket.closed, false, 'the master left the connection to the requester');
      connection.dispose();
      socket.end();
      const exitMs = await waitUntil(() => !isAlive(pid), { timeoutMs: 3_000, message: 'the master exited' });
      assert.ok(exitMs < 1_500, `exited ${exitMs} ms after the hang-up, not at the 30 s idle timeout`);
      await assert.rejects(status(ws));
    }));

  test('`steward down` prints the real answer and the master (with an idle timeout) has exited when it returns', () =>
    withWorkspace('requests-down-cli', YAML, async (ws) => {
      await up(ws, ['--editor', '--idle-timeout', '30s']);
      const { pid } = await waitForWorkersUp(ws);
      const started = Date.now();
      const down = await cli(ws, ['down']);
      assert.equal(down.code, 0, down.stderr);
      assert.equal(down.stdout, 'stopped 3 workers; the master has exited\n');
      assert.ok(Date.now() - started < 5_000);
      assert.equal(isAlive(pid), false);
    }));
});
