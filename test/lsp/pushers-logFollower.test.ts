/**
 * LogFollower against real ring buffers and a socket stand-in whose writes
 * complete when the test says: batches are pulled one at a time, a follower
 * about to be overrun holds the worker (flow control) and lets go once it
 * caught up, and a hold that lasts too long is given up with an exact count
 * of the lines skipped.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LogPush } from '../../shared/protocol';
import { LogBuffer } from '../../supervisor/core/logBuffer';
import { LogPushEncoder, type HeldBlock } from '../../supervisor/lsp/logPushFrame';
import { LOG_HOLD_MAX_MS, LogFollower } from '../../supervisor/lsp/pushers';
import { sleep, waitUntil } from '../helpers/procs';

/** A client whose socket accepts one push at a time, when `drain()` is called; keeps each push as the client parses it. */
class SlowClient {
  readonly pushes: LogPush[] = [];
  private readonly encoder = new LogPushEncoder();
  private drains: (() => void)[] = [];

  /** Encodes at once, as the connection does: the blocks are views into rings that move on. */
  readonly send = (blocks: readonly HeldBlock[]): Promise<void> => {
    const frame = this.encoder.encode(blocks);
    this.pushes.push(JSON.parse(frame.subarray(frame.indexOf('\r\n\r\n') + 4).toString('utf8')).params);
    return new Promise((resolve) => this.drains.push(resolve));
  };

  drain(): void {
    const pending = this.drains;
    this.drains = [];
    pending.forEach((resolve) => resolve());
  }

  get inFlight(): number {
    return this.drains.length;
  }

  numbers(): number[] {
    return this.pushes.flatMap((push) => push.blocks.flatMap((block) => block.text.split('\n').map((line) => Number.parseInt(line, 10))));
  }

  skipped(): number {
    return this.pushes.flatMap((push) => push.blocks).reduce((sum, block) => sum + (block.skipped ?? 0), 0);
  }
}

/** Appends `count` numbered lines of 99 characters from `first` on, as one block. */
function flood(follower: LogFollower, logs: LogBuffer, first: number, count: number): void {
  const lines = Array.from({ length: count }, (_, i) => `${first + i}`.padEnd(99, '.'));
  follower.add(logs, logs.append('stdout', [Buffer.from(lines.join('\n'))], count, Date.now()));
}

const range = (from: number, count: number) => Array.from({ length: count }, (_, i) => from + i);
/** The end of the current event-loop turn, when a follower pushes what the turn appended. */
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('LogFollower', () => {
  it('pulls one batch at a time, everything in order, nothing before it began', async () => {
    const logs = new LogBuffer('w', 0);
    logs.append('stdout', [Buffer.from('before')], 1, Date.now());
    const client = new SlowClient();
    const follower = new LogFollower(undefined, client.send);
    for (let block = 0; block < 10; block += 1) flood(follower, logs, block * 100, 100);
    assert.equal(client.inFlight, 0, 'nothing is pushed before the turn ends');
    await nextTurn();
    for (let block = 10; block < 30; block += 1) flood(follower, logs, block * 100, 100);
    await nextTurn();
    assert.equal(client.inFlight, 1, 'the turn\'s output went out in one push, the rest waits for it');
    while (client.inFlight > 0) {
      client.drain();
      await sleep(0);
    }
    assert.deepEqual(client.numbers(), range(0, 3_000));
    assert.equal(client.skipped(), 0);
    follower.dispose();
  });

  it('holds a worker it is half a ring behind, and lets go once it pulled', async () => {
    const logs = new LogBuffer('w', 0, 100_000);
    const client = new SlowClient();
    const follower = new LogFollower('w', client.send);
    for (let block = 0; block < 6; block += 1) flood(follower, logs, block * 100, 100);
    assert.ok(logs.held, 'about 60 KB unsent of a 100 KB ring: the worker is held');
    await waitUntil(() => logs.held === undefined, { timeoutMs: 1_000, message: 'the hold ends once the follower pulled' });
    while (client.inFlight > 0) {
      client.drain();
      await sleep(0);
    }
    assert.deepEqual(client.numbers(), range(0, 600));
    follower.dispose();
  });

  it(`gives a hold up after ${LOG_HOLD_MAX_MS} ms and says exactly how many lines the ring dropped meanwhile`, async () => {
    const logs = new LogBuffer('w', 0, 100_000);
    const client = new SlowClient();
    const follower = new LogFollower('w', client.send);
    flood(follower, logs, 0, 700);
    await nextTurn();
    assert.equal(client.inFlight, 1, 'a push on its way that the client does not take');
    for (let block = 0; block < 6; block += 1) flood(follower, logs, 700 + block * 100, 100);
    assert.ok(logs.held, 'the follower fell half a ring behind');
    await waitUntil(() => logs.held === undefined, { timeoutMs: LOG_HOLD_MAX_MS * 3, message: 'the hold is given up' });
    for (let block = 0; block < 33; block += 1) flood(follower, logs, 1_300 + block * 100, 100);
    assert.equal(logs.held, undefined, 'a stalled follower does not hold again before it caught up');
    while (client.inFlight > 0) {
      client.drain();
      await sleep(0);
    }
    const skipped = client.skipped();
    assert.ok(skipped > 0);
    assert.deepEqual(client.numbers(), [...range(0, 700), ...range(700 + skipped, 4_600 - 700 - skipped)], 'every line arrived in order or was counted as skipped');
    follower.dispose();
  });

  it('lets go of every worker it holds when disposed', async () => {
    const logs = new LogBuffer('w', 0, 100_000);
    const follower = new LogFollower(undefined, new SlowClient().send);
    flood(follower, logs, 0, 700);
    await nextTurn();
    for (let block = 0; block < 6; block += 1) flood(follower, logs, 700 + block * 100, 100);
    assert.ok(logs.held);
    follower.dispose();
    assert.equal(logs.held, undefined);
  });
});
