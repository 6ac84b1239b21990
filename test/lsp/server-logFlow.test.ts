/**
 * Flow control of followed logs through the real bundle and socket: a worker
 * prints 1,000,000 numbered lines (6.9 MB, more than its 4 MiB ring) while a
 * follower's socket is paused. Paused for less than LOG_HOLD_MAX_MS, the
 * follower holds the worker and misses no line; paused for longer, the
 * worker goes on without it, and the follower is told exactly how many lines
 * it missed, just where they are missing.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { Socket } from 'node:net';
import type { MessageConnection } from 'vscode-jsonrpc/node';
import { LogNotification, LogsRequest, type LogBlock } from '../../shared/protocol';
import { LOG_HOLD_MAX_MS } from '../../supervisor/lsp/pushers';
import { connectRpc, up, waitForWorkersUp, withWorkspace, type Workspace } from '../helpers/master';
import { sleep, waitUntil } from '../helpers/procs';

const LINES = 1_000_000;

/** Prints the numbers 1…LINES and `done` each time a `go` file appears. */
const YAML = `version: 1
workers:
  flood:
    command: sh -c 'echo ready; while true; do while [ ! -e go ]; do sleep 0.02; done; rm go; seq 1 ${LINES}; echo done; done'
`;

interface Received {
  numbers: number[];
  /** [index in `numbers` where a gap is announced, lines skipped there]. */
  notices: [number, number][];
}

/** Follows `flood`, pauses the socket for `pauseMs` while the flood starts, then reads until `done`. */
async function floodWhilePaused(ws: Workspace, follower: { connection: MessageConnection; socket: Socket }, pauseMs: number): Promise<Received> {
  const received: Received = { numbers: [], notices: [] };
  let done = false;
  const subscription = follower.connection.onNotification(LogNotification.type, ({ blocks }) => blocks.forEach(take));
  function take(block: LogBlock): void {
    if (block.skipped) received.notices.push([received.numbers.length, block.skipped]);
    for (const line of block.text.split('\n')) {
      if (line === 'done') done = true;
      else if (/^\d+$/.test(line)) received.numbers.push(Number(line));
    }
  }
  follower.socket.pause();
  writeFileSync(join(ws.dir, 'go'), '');
  await sleep(pauseMs);
  follower.socket.resume();
  await waitUntil(() => done, { timeoutMs: 60_000, intervalMs: 20, message: 'the follower read the last line' });
  subscription.dispose();
  return received;
}

/** The `done` line of the latest flood is in the worker's ring (read on another connection). */
async function floodFinished(ws: Workspace, since: number): Promise<boolean> {
  const other = await connectRpc(ws);
  try {
    const { lines } = await other.connection.sendRequest(LogsRequest.type, { worker: 'flood', lines: 1 });
    return lines.some((line) => line.text === 'done' && line.time >= since);
  } finally {
    other.connection.dispose();
    other.socket.destroy();
  }
}

describe('following a flood with a paused client', () => {
  test(`a pause shorter than ${LOG_HOLD_MAX_MS} ms holds the worker: all ${LINES.toLocaleString('en-US')} lines arrive, in order; a longer one costs lines, each gap announced with its exact size`, () =>
    withWorkspace('logs-flow-control', YAML, async (ws) => {
      await up(ws);
      await waitForWorkersUp(ws);
      const follower = await connectRpc(ws);
      try {
        await follower.connection.sendRequest(LogsRequest.type, { worker: 'flood', lines: 0, follow: true });
        const short = await floodWhilePaused(ws, follower, LOG_HOLD_MAX_MS / 2);
        assert.deepEqual(short.notices, [], 'nothing skipped');
        assert.equal(short.numbers.length, LINES);
        assert.ok(short.numbers.every((n, i) => n === i + 1), 'every line, in order');

        const since = Date.now();
        const long = floodWhilePaused(ws, follower, LOG_HOLD_MAX_MS * 3);
        await waitUntil(() => floodFinished(ws, since), { timeoutMs: LOG_HOLD_MAX_MS * 3, message: 'the worker finished while its follower was paused' });
        const { numbers, notices } = await long;
        const skipped = notices.reduce((sum, [, count]) => sum + count, 0);
        assert.ok(skipped > 0, 'lines were skipped for the stalled follower');
        assert.equal(numbers.length + skipped, LINES, 'every line arrived or was announced as skipped');
        let expected = 1;
        numbers.forEach((n, index) => {
          const announced = notices.filter(([at]) => at === index).reduce((sum, [, count]) => sum + count, 0);
          assert.equal(n, expected + announced, `line ${n} follows line ${expected - 1} with ${announced} lines announced as skipped`);
          expected = n + 1;
        });
        console.log(`# stalled follower: ${numbers.length} lines received, ${skipped} skipped in ${notices.length} announced gaps`);
      } finally {
        follower.connection.dispose();
        follower.socket.destroy();
      }
    }));
});
