import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { describe, it } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { decodeLines, LineSplitter, MAX_LINE_BYTES, TRUNCATION_MARKER } from '../../supervisor/process/lines';
import { spawnProcess } from '../../supervisor/process/spawn';
import { assertNoLeaks, MARKER_VAR, newMarker } from '../helpers/procs';

/** Heap in use after a full collection (gc exposed at run time for this measurement). */
function heapAfterGc(): number {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
  return process.memoryUsage().heapUsed;
}

/** Each block's lines, checked against the count the splitter gives with it. */
function collectInto(lines: string[]) {
  return (parts: readonly Buffer[], count: number): void => {
    const text = decodeLines(Buffer.concat(parts));
    const split = text.split('\n');
    assert.equal(split.length, count, `a block of ${count} lines: ${JSON.stringify(text.slice(0, 80))}`);
    lines.push(...split);
  };
}

function split(chunks: (string | Buffer)[], maxLineBytes?: number): string[] {
  const lines: string[] = [];
  const splitter = new LineSplitter(collectInto(lines), maxLineBytes);
  for (const chunk of chunks) splitter.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  splitter.end();
  return lines;
}

describe('LineSplitter', () => {
  it('joins lines split across chunks, keeps empty lines and drops CR of CRLF', () => {
    assert.deepEqual(split(['ab', 'c\n\nd\r\n', 'e']), ['abc', '', 'd', 'e']);
  });

  it('decodes a multi-byte character split between two chunks', () => {
    const euro = Buffer.from('€\n');
    assert.deepEqual(split([euro.subarray(0, 1), euro.subarray(1)]), ['€']);
  });

  it('cuts an over-long line once, with a marker, and resumes at the next newline', () => {
    assert.deepEqual(split(['abcdef', 'ghij\nok\n'], 4), [`abcd${TRUNCATION_MARKER}`, 'ok']);
  });

  it('emits the head of a 10 MB line without newline at once and buffers nothing of the rest', () => {
    const lines: string[] = [];
    const splitter = new LineSplitter(collectInto(lines));
    const chunk = Buffer.alloc(64 * 1024, 'y');
    const heapBefore = process.memoryUsage().heapUsed;
    for (let i = 0; i < 160; i += 1) splitter.push(chunk);
    assert.equal(lines.length, 1);
    assert.equal(lines[0]!.length, MAX_LINE_BYTES + TRUNCATION_MARKER.length);
    assert.ok(process.memoryUsage().heapUsed - heapBefore < 4 * 1024 * 1024, 'heap stays well below the 10 MB pushed');
    splitter.push(Buffer.from('\nafter\n'));
    assert.deepEqual(lines.slice(1), ['after']);
  });
});

describe('a worker printing a 10 MB line without newline', () => {
  it('yields one truncated line, then the next lines, with bounded memory', async () => {
    const marker = newMarker('huge-line');
    const lines: string[] = [];
    const heapBefore = heapAfterGc();
    const proc = await spawnProcess({
      command: "head -c 10485760 /dev/zero | tr '\\0' z; echo; echo after; head -c 10485760 /dev/zero | tr '\\0' z",
      cwd: tmpdir(),
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', [MARKER_VAR]: marker },
      onLines: (_stream, parts, count) => collectInto(lines)(parts, count),
      leftovers: { signal: 'SIGTERM', timeoutMs: 500 },
    });
    await proc.exited;
    assert.deepEqual(lines.map((line) => line.length), [MAX_LINE_BYTES + TRUNCATION_MARKER.length, 5, MAX_LINE_BYTES + TRUNCATION_MARKER.length]);
    assert.equal(lines[1], 'after');
    assert.ok(heapAfterGc() - heapBefore < 4 * 1024 * 1024, 'nothing close to the 20 MB printed is retained');
    await assertNoLeaks(marker);
  });
});
