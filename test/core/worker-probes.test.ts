import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { LogBuffer } from '../../supervisor/core/logBuffer';
import { waitUntilReady, type ProbeContext } from '../../supervisor/core/probes';
import { Guardian } from '../../supervisor/process/guardian';
import { assertNoLeaks, newMarker, sleep } from '../helpers/procs';
import { recordedWorker, testSpec } from '../helpers/workerSpecs';

const guardian = Guardian.start();
after(() => guardian.close());

function context(logs = new LogBuffer('w', 0), signal = new AbortController().signal): ProbeContext {
  return { cwd: tmpdir(), env: { PATH: process.env.PATH ?? '/usr/bin:/bin' }, signal, guardian, output: { backlog: () => logs.tail(), subscribe: (l) => logs.subscribe(l) } };
}

/** An HTTP server on a free port that answers `status()` for every request; listening only from `listenAfterMs`. */
async function lateServer(status: () => number, listenAfterMs: number): Promise<{ port: number; server: Server }> {
  const server = createServer((_req, res) => res.writeHead(status()).end());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  server.close();
  setTimeout(() => server.listen(port, '127.0.0.1'), listenAfterMs);
  return { port, server };
}

const print = (logs: LogBuffer, text: string) => logs.append('stdout', [Buffer.from(text)], 1, Date.now());

describe('readiness probes', () => {
  it('tcp: ready once the port accepts connections; else names the address and last error', async () => {
    const { port, server } = await lateServer(() => 200, 150);
    assert.deepEqual(await waitUntilReady({ kind: 'tcp', host: '127.0.0.1', port, timeoutMs: 2_000, intervalMs: 20 }, context()), { ok: true });
    server.close();
    assert.deepEqual(await waitUntilReady({ kind: 'tcp', host: '127.0.0.1', port, timeoutMs: 200, intervalMs: 20 }, context()), {
      ok: false,
      reason: `127.0.0.1:${port} did not accept a connection within 200ms (last error: ECONNREFUSED)`,
    });
  });

  it('polls a refused port every 5 ms: a port that opens after 30 ms is seen well before one 100 ms interval', async () => {
    const { port, server } = await lateServer(() => 200, 30);
    const started = performance.now();
    assert.deepEqual(await waitUntilReady({ kind: 'tcp', host: '127.0.0.1', port, timeoutMs: 2_000, intervalMs: 100 }, context()), { ok: true });
    const seenAfterMs = performance.now() - started;
    server.close();
    assert.ok(seenAfterMs < 90, `seen after ${seenAfterMs.toFixed(0)} ms`);
  });

  it('http: ready at the first 2xx/3xx answer; a 503 or silence is not ready', async () => {
    let answer = 503;
    const { port, server } = await lateServer(() => answer, 100);
    setTimeout(() => (answer = 302), 300);
    const url = `http://127.0.0.1:${port}/health`;
    assert.deepEqual(await waitUntilReady({ kind: 'http', url, timeoutMs: 3_000, intervalMs: 20 }, context()), { ok: true });
    answer = 503;
    const failed = await waitUntilReady({ kind: 'http', url, timeoutMs: 200, intervalMs: 20 }, context());
    assert.deepEqual(failed, { ok: false, reason: `${url} did not answer within 200ms (last error: HTTP 503)` });
    server.close();
    const silent = await waitUntilReady({ kind: 'http', url, timeoutMs: 200, intervalMs: 20 }, context());
    assert.deepEqual(silent, { ok: false, reason: `${url} did not answer within 200ms (last error: ECONNREFUSED)` });
  });

  it('log: matches lines printed before the probe began and lines printed later', async () => {
    const logs = new LogBuffer('w', 0);
    print(logs, 'listening on 3000');
    assert.deepEqual(await waitUntilReady({ kind: 'log', pattern: 'listening on \\d+', timeoutMs: 500 }, context(logs)), { ok: true });
    const later = new LogBuffer('w', 0);
    setTimeout(() => print(later, 'compiled successfully'), 50);
    assert.deepEqual(await waitUntilReady({ kind: 'log', pattern: 'compiled', timeoutMs: 1_000 }, context(later)), { ok: true });
    const timedOut = await waitUntilReady({ kind: 'log', pattern: '^ready$', timeoutMs: 100 }, context(later));
    assert.deepEqual(timedOut, { ok: false, reason: 'no output line matched /^ready$/ within 100ms' });
  });

  it('exec: ready when the command exits 0; else quotes the last exit code and output', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'steward-exec-probe-'));
    const flag = join(dir, 'flag');
    try {
      setTimeout(() => writeFileSync(flag, ''), 150);
      assert.deepEqual(await waitUntilReady({ kind: 'exec', command: `test -f ${flag}`, timeoutMs: 2_000, intervalMs: 20 }, context()), { ok: true });
      const failed = await waitUntilReady({ kind: 'exec', command: 'echo not yet; exit 7', timeoutMs: 200, intervalMs: 20 }, context());
      assert.deepEqual(failed, { ok: false, reason: '`echo not yet; exit 7` did not succeed within 200ms (last error: exit code 7: not yet)' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('ends at once when cancelled', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const started = Date.now();
    const result = await waitUntilReady({ kind: 'tcp', host: '127.0.0.1', port: 1, timeoutMs: 10_000, intervalMs: 1_000 }, context(new LogBuffer('w', 0), controller.signal));
    assert.deepEqual(result, { ok: false, reason: 'cancelled' });
    assert.ok(Date.now() - started < 500);
  });
});

describe('Worker readiness', () => {
  it('is starting until its log probe matches, then ready', async () => {
    const marker = newMarker('log-ready');
    const spec = testSpec(marker, 'echo booting; sleep 0.2; echo "listening"; exec sleep 60', { ready: { kind: 'log', pattern: 'listening', timeoutMs: 3_000 } });
    const { worker, changes } = recordedWorker(spec, guardian);
    const ready = worker.whenState('ready');
    assert.deepEqual(await worker.start(), { ok: true });
    assert.deepEqual(await ready, { ok: true });
    assert.deepEqual([...new Set(changes.map((c) => c.state))], ['starting', 'ready']);
    await worker.stop();
    await assertNoLeaks(marker, { timeoutMs: 0 });
  });

  it('fails start-up when the probe times out, and leaves no process behind', async () => {
    const marker = newMarker('never-ready');
    const spec = testSpec(marker, 'sleep 60', { ready: { kind: 'tcp', host: '127.0.0.1', port: 1, timeoutMs: 300, intervalMs: 50 } });
    const { worker } = recordedWorker(spec, guardian);
    const outcome = await worker.start();
    assert.deepEqual(outcome, { ok: false, reason: '127.0.0.1:1 did not accept a connection within 300ms (last error: ECONNREFUSED)' });
    assert.equal(worker.status().state, 'failed');
    assert.deepEqual(await worker.whenState('ready'), { ok: false, reason: `w failed: ${outcome.ok ? '' : outcome.reason}` });
    await assertNoLeaks(marker, { timeoutMs: 0 });
  });

  it('stops during start-up at once: start() says so and the group is gone', async () => {
    const marker = newMarker('stop-starting');
    const spec = testSpec(marker, 'sleep 60', { ready: { kind: 'log', pattern: 'never', timeoutMs: 30_000 } });
    const { worker } = recordedWorker(spec, guardian);
    const starting = worker.start();
    await worker.whenState('started');
    await sleep(20);
    await worker.stop();
    assert.deepEqual(await starting, { ok: false, reason: 'stopped on request during start-up', stopped: true });
    assert.equal(worker.status().state, 'exited');
    await assertNoLeaks(marker, { timeoutMs: 0 });
  });

  it('refuses to start when a declared port is taken, naming the holder', async () => {
    const marker = newMarker('port-taken');
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const { port } = holder.address() as AddressInfo;
    try {
      const { worker } = recordedWorker(testSpec(marker, 'sleep 60', { ports: [port] }), guardian);
      const outcome = await worker.start();
      assert.equal(outcome.ok, false);
      assert.match(outcome.ok ? '' : outcome.reason, new RegExp(`^port ${port} is already in use by pid ${process.pid} \\(.*node.*\\)$`));
      assert.equal(worker.status().pid, null);
    } finally {
      holder.close();
    }
    await assertNoLeaks(marker, { timeoutMs: 0 });
  });
});
