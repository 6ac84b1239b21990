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

  /** The numbered lines pushed, of one worker or of all. */
  numbers(worker?: string): number[] {
    const blocks = this.pushes.flatMap((push) => push.blocks).filter((block) => worker === undefined || block.worker === worker);
    return blocks.flatMap((block) => block.text.split('\n').map((line) => Number.parseInt(line, 10)));
  }

  /** Lets every push through until none is on its way. */
  async drainAll(): Promise<void> {
    await nextTurn();
    while (this.inFlight > 0) {
      this.drain();
      await nextTurn();
    }
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
    const follower = new LogFollower(new Set(['w']), client.send);
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
    const follower = new LogFollower(new Set(['w']), client.send);
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

  it('follows only the workers it is given, and a new set in place: those kept lose and repeat nothing, others are never held', async () => {
    const [a, b] = [new LogBuffer('a', 0, 100_000), new LogBuffer('b', 0, 100_000)];
    const client = new SlowClient();
    const follower = new LogFollower(new Set(['a']), client.send);
    flood(follower, a, 0, 100);
    flood(follower, b, 0, 700);
    assert.equal(b.held, undefined, 'b floods most of its ring, but nobody follows it here');
    await nextTurn();
    flood(follower, a, 100, 100);
    follower.follow(new Set(['a', 'b']));
    flood(follower, b, 700, 50);
    await client.drainAll();
    assert.deepEqual(client.numbers('a'), range(0, 200), 'a, followed throughout, while a push was on its way');
    assert.deepEqual(client.numbers('b'), range(700, 50), 'b from the moment it was followed');
    follower.follow(new Set(['b']));
    flood(follower, a, 200, 10);
    flood(follower, b, 750, 10);
    follower.follow(new Set(['b', 'a']));
    flood(follower, a, 210, 10);
    await client.drainAll();
    assert.deepEqual(client.numbers('a'), [...range(0, 200), ...range(210, 10)], 'a again from the moment it was followed again');
    assert.deepEqual(client.numbers('b'), range(700, 60));
    assert.equal(client.skipped(), 0);
    follower.dispose();
  });

  it('lets go of a worker it holds once no longer following it', async () => {
    const logs = new LogBuffer('w', 0, 100_000);
    const follower = new LogFollower(new Set(['w']), new SlowClient().send);
    flood(follower, logs, 0, 700);
    await nextTurn();
    for (let block = 0; block < 6; block += 1) flood(follower, logs, 700 + block * 100, 100);
    assert.ok(logs.held);
    follower.follow(new Set(['other']));
    assert.equal(logs.held, undefined);
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
