/** The CLI's pure renderings: the `show proc`-like status table, reload outcomes, log prefixes. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { StatusSnapshot } from '../../shared/protocol';
import { formatLocated, formatLogLines } from '../../supervisor/cli/format';
import { renderReloadResult } from '../../supervisor/cli/reload';
import { renderStatusTable } from '../../supervisor/cli/statusTable';

const now = Date.parse('2026-01-01T12:00:00Z');
const snapshot: StatusSnapshot = {
  pid: 4100,
  state: 'wait',
  generation: 3,
  config: '/p/steward.yaml',
  reloads: 5,
  failedReloads: 1,
  lastReload: { ok: false, generation: 4, trigger: 'cli', durationMs: 12, at: '2026-01-01T11:59:00Z', error: { message: 'bad restart', file: '/p/steward.yaml', line: 7, column: 5 } },
  workers: [
    { name: 'api', instance: 0, pid: 4242, generation: 3, state: 'ready', restarts: 0, exitCode: null, ports: [3000], startedAt: now - 65_000 },
    { name: 'flaky', instance: 0, pid: null, generation: 3, state: 'failed', restarts: 4, exitCode: 1, ports: [], startedAt: null, reason: 'crashed 5 times' },
  ],
  startedAt: now - 125_000,
  workersEnabled: true,
};

test('the status table shows the master line with failed reloads, the last reload error, and a row per worker', () => {
  assert.equal(
    renderStatusTable(snapshot, now),
    [
      'master 4100  wait  generation 3  reloads 5 [failed: 1]  up 2m05s  /p/steward.yaml',
      'last reload: FAILED (cli, generation 4, 12 ms, 2026-01-01T11:59:00Z)',
      '  /p/steward.yaml:7:5: error: bad restart',
      '',
      'NAME   PID   STATE   GEN  RESTARTS  UPTIME  PORTS  REASON',
      'api    4242  ready   3    0         1m05s   3000',
      'flaky  -     failed  3    4         -       -      exit 1: crashed 5 times',
      '',
    ].join('\n'),
  );
});

test('a reload outcome names the wait mode and the located error; a dry run lists the plan', () => {
  assert.match(renderReloadResult(snapshot.lastReload!), /wait mode[\s\S]*steward\.yaml:7:5: error: bad restart/);
  const plan = renderReloadResult({ ok: true, dryRun: true, generation: 4, trigger: 'cli', durationMs: 1, at: '', plan: { start: ['web'], stop: [], restart: ['api'], keep: ['db'] } });
  assert.equal(plan, 'plan (dry run, nothing was changed):\n  start   web\n  stop    -\n  restart api\n  keep    db\n');
});

test('located errors and log lines', () => {
  assert.equal(formatLocated({ message: 'm', file: 'f.yaml', line: 2, column: 3 }), 'f.yaml:2:3: error: m');
  assert.equal(formatLocated({ message: 'config file not found: /x' }), 'error: config file not found: /x');
  const line = { worker: 'api', instance: 1, stream: 'stdout' as const, time: 0, text: 'hi' };
  assert.equal(formatLogLines(line, { color: false, width: 8, replicated: () => true }), 'api[1]   | hi');
  assert.equal(formatLogLines({ ...line, stream: 'system' }, { color: false, width: 3, replicated: () => false }), 'api | steward: hi');
});

test('a block of several lines gets the prefix on every line, an empty line included', () => {
  const block = { worker: 'api', instance: 0, stream: 'stdout' as const, time: 0, text: 'one\n\nthree' };
  assert.equal(formatLogLines(block, { color: false, width: 4, replicated: () => false }), 'api  | one\napi  | \napi  | three');
  assert.equal(formatLogLines({ ...block, stream: 'system' }, { color: false, width: 3, replicated: () => false }), 'api | steward: one\napi | steward: \napi | steward: three');
  assert.equal(formatLogLines({ ...block, worker: 'a$&b' }, { color: false, width: 4, replicated: () => false }), 'a$&b | one\na$&b | \na$&b | three', 'a label is taken literally');
});
