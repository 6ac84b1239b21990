/**
 * `steward logs -f` against workers that print 200,000 numbered lines: every
 * line arrives, in order, or a gap is announced by a skip notice of exactly
 * its size — even for a burst faster than the client can print; a client
 * that keeps up with the worker misses none.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { BUNDLE, up, waitForWorkersUp, withWorkspace, type Workspace } from '../helpers/master';
import { waitUntil } from '../helpers/procs';

const LINES = 200_000;
const CHUNKS = 100;
const CHUNK = LINES / CHUNKS;

/** `burst` prints its lines as fast as `seq` can; `paced` in chunks of CHUNK lines every 20 ms (~100,000 lines/s). */
const YAML = `version: 1
workers:
  burst:
    command: sh -c 'echo ready; while [ ! -e go-burst ]; do sleep 0.02; done; seq 1 ${LINES}; echo done; exec sleep 300'
  paced:
    command: sh -c 'echo ready; while [ ! -e go-paced ]; do sleep 0.02; done; i=0; while [ $i -lt ${CHUNKS} ]; do seq $((i*${CHUNK}+1)) $((i*${CHUNK}+${CHUNK})); i=$((i+1)); sleep 0.02; done; echo done; exec sleep 300'
`;

interface Followed {
  numbers: number[];
  /** [index in `numbers` where the gap is, lines announced as skipped]. */
  notices: [number, number][];
  elapsedMs: number;
}

/** Follows `worker` with the CLI, starts its lines and reads its output until the last one. */
async function follow(ws: Workspace, worker: string): Promise<Followed> {
  const follower = spawn(process.execPath, [BUNDLE, 'logs', '-f', '-n', '20', worker], { cwd: ws.dir, env: ws.env, stdio: ['ignore', 'pipe', 'inherit'] });
  const chunks: string[] = [];
  let tail = '';
  follower.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    chunks.push(chunk);
    tail = (tail + chunk).slice(-64);
  });
  try {
    await waitUntil(() => chunks.join('').includes(`${worker} | ready`), { timeoutMs: 15_000, message: 'the follower printed the tail' });
    const started = performance.now();
    writeFileSync(join(ws.dir, `go-${worker}`), '');
    await waitUntil(() => tail.includes(`${worker} | done`), { timeoutMs: 60_000, intervalMs: 20, message: 'the follower printed the last line' });
    return { ...parseFollow(chunks.join(''), worker), elapsedMs: performance.now() - started };
  } finally {
    follower.kill('SIGTERM');
    await new Promise((resolve) => (follower.exitCode === null ? follower.once('exit', resolve) : resolve(undefined)));
  }
}

/** The numbered lines and skip notices, in the order printed. */
function parseFollow(output: string, worker: string): Omit<Followed, 'elapsedMs'> {
  const followed: Omit<Followed, 'elapsedMs'> = { numbers: [], notices: [] };
  const numberedLine = new RegExp(`^${worker} \\| (\\d+)$`);
  for (const line of output.split('\n')) {
    const notice = /^… ([\d,]+) lines? skipped: the client fell behind/.exec(line);
    if (notice) followed.notices.push([followed.numbers.length, Number(notice[1]!.replaceAll(',', ''))]);
    const numbered = numberedLine.exec(line);
    if (numbered) followed.numbers.push(Number(numbered[1]));
  }
  return followed;
}

function assertInOrderOrAnnounced({ numbers, notices }: Followed): void {
  let expected = 1;
  numbers.forEach((n, index) => {
    const announced = notices.filter(([at]) => at === index).reduce((sum, [, count]) => sum + count, 0);
    assert.equal(n, expected + announced, `line ${n} follows line ${expected - 1} with ${announced} lines announced as skipped`);
    expected = n + 1;
  });
  assert.equal(expected, LINES + 1, 'the last numbered line arrived');
}

describe('following a log flood', () => {
  test(`steward logs -f prints ${LINES.toLocaleString('en-US')} lines of a burst in order, every gap announced with its size; one that keeps up misses none`, () =>
    withWorkspace('logs-follow-flood', YAML, async (ws) => {
      await up(ws);
      await waitForWorkersUp(ws);
      const burst = await follow(ws, 'burst');
      assertInOrderOrAnnounced(burst);
      const skipped = burst.notices.reduce((sum, [, count]) => sum + count, 0);
      console.log(`# burst: ${LINES} lines in ${burst.elapsedMs.toFixed(0)} ms, ${skipped} skipped in ${burst.notices.length} announced gaps`);
      const paced = await follow(ws, 'paced');
      assertInOrderOrAnnounced(paced);
      assert.deepEqual(paced.notices, [], 'a client that keeps up with the worker misses nothing');
      console.log(`# paced: ${LINES} lines in ${paced.elapsedMs.toFixed(0)} ms, none skipped`);
    }));
});
