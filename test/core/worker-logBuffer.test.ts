import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LogLine } from '../../shared/protocol';
import { LogBuffer } from '../../supervisor/core/logBuffer';

const line = (text: string, time = 0): LogLine => ({ worker: 'w', instance: 0, stream: 'stdout', time, text });
const texts = (lines: LogLine[]) => lines.map((l) => l.text);

describe('LogBuffer', () => {
  it('keeps only the newest lines when full by count', () => {
    const logs = new LogBuffer(3, 1_000_000);
    for (const text of ['a', 'b', 'c', 'd', 'e']) logs.push(line(text));
    assert.deepEqual(texts(logs.tail()), ['c', 'd', 'e']);
    assert.deepEqual(texts(logs.tail(2)), ['d', 'e']);
    assert.deepEqual(texts(logs.tail(0)), []);
  });

  it('drops the oldest lines to stay within its byte budget', () => {
    const logs = new LogBuffer(1_000, 1_000);
    for (let i = 0; i < 20; i += 1) logs.push(line(`${i}`.padStart(100, '.')));
    assert.ok(logs.heldBytes <= 1_000);
    assert.ok(logs.size < 20 && logs.size > 0);
    assert.equal(logs.tail(1)[0]!.text.endsWith('19'), true);
  });

  it('stays bounded under 100,000 lines', () => {
    const logs = new LogBuffer();
    for (let i = 0; i < 100_000; i += 1) logs.push(line(`line ${i} ${'x'.repeat(200)}`));
    assert.ok(logs.heldBytes <= 1024 * 1024);
    assert.match(logs.tail(1)[0]!.text, /^line 99999 /);
  });

  it('returns lines since a time, and lines after a mark', () => {
    const logs = new LogBuffer();
    logs.push(line('old', 10));
    const mark = logs.mark();
    logs.push(line('new', 20));
    logs.push(line('newer', 30));
    assert.deepEqual(texts(logs.since(20)), ['new', 'newer']);
    assert.deepEqual(texts(logs.from(mark)), ['new', 'newer']);
    assert.deepEqual(texts(logs.from(logs.mark())), []);
  });

  it('tells subscribers about each new line until they unsubscribe', () => {
    const logs = new LogBuffer();
    const seen: string[] = [];
    const unsubscribe = logs.subscribe((l) => seen.push(l.text));
    logs.push(line('one'));
    unsubscribe();
    logs.push(line('two'));
    assert.deepEqual(seen, ['one']);
  });
});
