import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
import { RingBudget } from '../../supervisor/core/byteRing';
import { LogBuffer, type LogEntry } from '../../supervisor/core/logBuffer';

const texts = (lines: { text: string }[]) => lines.map((line) => line.text);
/** Appends one block of the given lines; returns the entry. */
const block = (logs: LogBuffer, lines: string[], time = 0): LogEntry => logs.append('stdout', [Buffer.from(lines.join('\n'))], lines.length, time);
const numbered = (from: number, count: number) => Array.from({ length: count }, (_, i) => `${from + i}`.padStart(8, '0'));
const linesIn = (logs: LogBuffer, entries: LogEntry[]) => entries.flatMap((entry) => logs.blockOf(entry).text.split('\n'));

describe('LogBuffer', () => {
  it('holds nothing and allocates nothing for a worker that printed nothing', () => {
    const logs = new LogBuffer('w', 0);
    assert.equal(logs.size, 0);
    assert.equal(logs.heldBytes, 0);
    assert.deepEqual(logs.tail(), []);
    assert.deepEqual(logs.read(logs.mark(), 1_000), { skipped: 0, entries: [], next: 0 });
  });

  it('keeps blocks as read and returns the last lines across them, oldest first', () => {
    const logs = new LogBuffer('api', 1);
    block(logs, ['a', 'b', 'c']);
    block(logs, ['d']);
    block(logs, ['e', '', 'g']);
    assert.equal(logs.size, 7);
    assert.deepEqual(texts(logs.tail(5)), ['c', 'd', 'e', '', 'g']);
    assert.deepEqual(texts(logs.tail()), ['a', 'b', 'c', 'd', 'e', '', 'g']);
    assert.deepEqual(logs.tail(0), []);
    assert.deepEqual(logs.tail(1)[0], { worker: 'api', instance: 1, stream: 'stdout', time: 0, text: 'g' });
  });

  it('joins a block given in parts, and keeps an empty line as a line', () => {
    const logs = new LogBuffer('w', 0);
    logs.append('stderr', [Buffer.from('held start'), Buffer.from('\n'), Buffer.from('next\r\nlast')], 3, 5);
    logs.append('stdout', [Buffer.alloc(0)], 1, 6);
    assert.deepEqual(texts(logs.tail()), ['held start', 'next', 'last', '']);
    assert.equal(logs.size, 4);
  });

  it('keeps every held block intact while its bytes wrap round the ring many times', () => {
    const logs = new LogBuffer('w', 0, 3_000);
    let next = 0;
    for (let i = 0; i < 2_000; i += 1) {
      block(logs, numbered(next, 1 + (i % 3)));
      next += 1 + (i % 3);
    }
    const lines = texts(logs.tail());
    assert.ok(lines.length > 10 && logs.heldBytes <= 3_000);
    assert.deepEqual(lines, numbered(next - lines.length, lines.length), 'the newest lines, none overwritten while held');
  });

  it('drops the oldest blocks to stay within its byte budget, always keeping the newest', () => {
    const logs = new LogBuffer('w', 0, 1_000);
    for (let i = 0; i < 20; i += 1) block(logs, [`${i}`.padStart(100, '.')]);
    assert.ok(logs.heldBytes <= 1_000);
    assert.ok(logs.size < 20 && logs.size > 0);
    assert.match(logs.tail(1)[0]!.text, /\.19$/);
    block(logs, ['x'.repeat(5_000)]);
    assert.equal(logs.size, 1, 'a block bigger than the budget is kept alone');
  });

  it('stays bounded under 100,000 blocks', () => {
    const logs = new LogBuffer('w', 0);
    for (let i = 0; i < 100_000; i += 1) block(logs, [`line ${i} ${'x'.repeat(200)}`]);
    assert.ok(logs.heldBytes <= 4 * 1024 * 1024);
    assert.match(logs.tail(1)[0]!.text, /^line 99999 /);
  });

  it('reads whole blocks after a cursor, and nothing more once caught up', () => {
    const logs = new LogBuffer('w', 0);
    block(logs, ['old']);
    const cursor = logs.mark();
    block(logs, ['new', 'newer']);
    block(logs, ['newest']);
    const first = logs.read(cursor, 1_000);
    assert.equal(first.skipped, 0);
    assert.deepEqual(linesIn(logs, first.entries), ['new', 'newer', 'newest']);
    assert.equal(first.next, logs.mark());
    assert.deepEqual(logs.read(first.next, 1_000), { skipped: 0, entries: [], next: first.next });
    assert.deepEqual(texts(logs.from(cursor)), ['new', 'newer', 'newest']);
  });

  it('reads at most about maxBytes at a time, but at least one block', () => {
    const logs = new LogBuffer('w', 0);
    for (let i = 0; i < 10; i += 1) block(logs, numbered(i * 10, 10));
    const page = logs.read(0, 200);
    assert.deepEqual(linesIn(logs, page.entries), numbered(0, 20), 'two blocks of 89 characters fit in 200');
    assert.equal(page.next, 20);
    assert.equal(logs.read(20, 1).entries.length, 1);
  });

  it('tells a cursor the ring moved past exactly how many lines it missed, then resumes at the oldest held', () => {
    const logs = new LogBuffer('w', 0, 2_000);
    const cursor = logs.mark();
    for (let i = 0; i < 100; i += 1) block(logs, numbered(i * 5, 5));
    const oldest = Number(logs.tail()[0]!.text);
    const read = logs.read(cursor, 1_000_000);
    assert.ok(oldest > 0, 'the ring dropped lines');
    assert.equal(read.skipped, oldest);
    assert.deepEqual(linesIn(logs, read.entries), numbered(oldest, 500 - oldest));
    assert.deepEqual(texts(logs.from(cursor)), numbered(oldest, 500 - oldest), 'from() returns what is still held');
  });

  it('accounts for every line through many drops: received plus skipped is all that was appended, in order', () => {
    const step = fc.record({ lines: fc.integer({ min: 1, max: 40 }), readBytes: fc.option(fc.integer({ min: 1, max: 3_000 })) });
    fc.assert(
      fc.property(fc.integer({ min: 200, max: 5_000 }), fc.array(step, { maxLength: 300 }), (budget, steps) => {
        const logs = new LogBuffer('w', 0, budget);
        const received: string[] = [];
        let cursor = logs.mark();
        let appended = 0;
        let skipped = 0;
        const pull = (maxBytes: number) => {
          const read = logs.read(cursor, maxBytes);
          skipped += read.skipped;
          received.push(...linesIn(logs, read.entries));
          assert.deepEqual(linesIn(logs, read.entries), numbered(cursor + read.skipped, read.next - cursor - read.skipped));
          cursor = read.next;
        };
        for (const { lines, readBytes } of steps) {
          block(logs, numbered(appended, lines));
          appended += lines;
          if (readBytes !== null) pull(readBytes);
        }
        while (cursor < logs.mark()) pull(1_000);
        assert.equal(received.length + skipped, appended);
      }),
      { numRuns: 200 },
    );
  });

  it('tells subscribers about each line of a block until they unsubscribe', () => {
    const logs = new LogBuffer('w', 0);
    const seen: string[] = [];
    const unsubscribe = logs.subscribe((line) => seen.push(line.text));
    block(logs, ['one', 'two']);
    unsubscribe();
    block(logs, ['three']);
    assert.deepEqual(seen, ['one', 'two']);
  });
});

describe('LogBuffer memory shared by a master', () => {
  const flood = (logs: LogBuffer, lines: number) => {
    for (let i = 0; i < lines; i += 100) block(logs, numbered(i, 100).map((n) => n.padEnd(99, '.')));
  };

  it('lets rings grow only as far as their shared budget; a ring that cannot grow keeps its newest lines', () => {
    const budget = new RingBudget(256 * 1024);
    const first = new LogBuffer('a', 0, 4 * 1024 * 1024, budget);
    const second = new LogBuffer('b', 0, 4 * 1024 * 1024, budget);
    flood(first, 20_000);
    assert.equal(budget.spent, 256 * 1024, 'the first flood drew the whole budget');
    assert.ok(first.heldBytes > 256 * 1024 && first.heldBytes <= 320 * 1024, `64 KiB free + 256 KiB drawn, held ${first.heldBytes}`);
    assert.equal(second.room, 64 * 1024, 'a ring that can no longer grow says so (followers pace by it)');
    flood(second, 20_000);
    assert.equal(budget.spent, 256 * 1024, 'nothing more drawn');
    assert.ok(second.heldBytes <= 64 * 1024, `the second keeps to its free 64 KiB, held ${second.heldBytes}`);
    assert.match(second.tail(1)[0]!.text, /^00019999\./, 'with its newest line');
    assert.equal(second.read(0, 1).skipped > 0, true, 'and says how many lines a reader from the start missed');
  });

  it("gives a collected ring's share back (a replaced or removed worker's buffer)", async () => {
    const budget = new RingBudget(256 * 1024);
    (() => flood(new LogBuffer('gone', 0, 4 * 1024 * 1024, budget), 20_000))();
    assert.equal(budget.spent, 256 * 1024);
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    for (let attempt = 0; attempt < 50 && budget.spent > 0; attempt += 1) {
      gc();
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    assert.equal(budget.spent, 0);
  });
});
