/**
 * The security promises, checked on a live master: the control socket is
 * 0600 in a 0700 directory owned by the user, a runtime directory others
 * could write to (or owned by someone else) is refused, the master and its
 * guardian hold no TCP or UDP socket, worker names / RPC params / CLI
 * arguments never reach a shell, and workers do not inherit the master's
 * internal variables or its launcher's.
 */
import assert from 'node:assert/strict';
import { chmodSync, chownSync, existsSync, readdirSync, readFileSync, readlinkSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { ReloadRequest, LogsRequest, RestartWorkerRequest, StartWorkerRequest, StopWorkerRequest } from '../../shared/protocol';
import { cli, connectRpc, status, up, waitForWorkersUp } from '../helpers/master';
import { markedProcesses } from '../helpers/procs';
import { Tally, withChaosWorkspace } from './harness';

const SLEEPER = `version: 1
workers:
  api:
    command: sleep 1000
`;

const tally = new Tally('security checks');
after(() => tally.record());

/** Counts one check: a fault attempted, survived when `body` passes. */
async function check(body: () => Promise<void> | void): Promise<void> {
  tally.iteration();
  tally.fault();
  await body();
  tally.survived();
}

/** Inodes of every TCP/UDP socket of the machine (IPv4 and IPv6), from /proc/net. */
function inetSocketInodes(): Set<string> {
  const inodes = new Set<string>();
  for (const table of ['tcp', 'tcp6', 'udp', 'udp6']) {
    const lines = existsSync(`/proc/net/${table}`) ? readFileSync(`/proc/net/${table}`, 'utf8').trim().split('\n').slice(1) : [];
    for (const line of lines) inodes.add(line.trim().split(/\s+/)[9]);
  }
  return inodes;
}

function socketInodesOf(pid: number): string[] {
  return readdirSync(`/proc/${pid}/fd`).flatMap((fd) => {
    try {
      return [/^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))?.[1] ?? []].flat();
    } catch {
      return [];
    }
  });
}

function environOf(pid: number): Map<string, string> {
  const entries = readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').filter(Boolean);
  return new Map(entries.map((entry) => [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)]));
}

describe('security of a running master', () => {
  test('socket 0600 in a 0700 directory, both owned by the user; no TCP or UDP socket in the master or its guardian', () =>
    withChaosWorkspace('sec-socket', SLEEPER, async (ws) => {
      await up(ws);
      const running = await waitForWorkersUp(ws);
      await check(() => {
        const socket = statSync(ws.paths.socket);
        const dir = statSync(ws.paths.dir);
        assert.ok(socket.isSocket());
        assert.equal((socket.mode & 0o777).toString(8), '600');
        assert.equal((dir.mode & 0o777).toString(8), '700');
        assert.equal(socket.uid, process.getuid!());
        assert.equal(dir.uid, process.getuid!());
      });
      await check(() => {
        const inet = inetSocketInodes();
        const masterSide = markedProcesses(ws.marker).filter((p) => p.pid === running.pid || p.ppid === running.pid);
        for (const process of masterSide) {
          const exposed = socketInodesOf(process.pid).filter((inode) => inet.has(inode));
          assert.deepEqual(exposed, [], `pid ${process.pid} (${process.command.slice(0, 40)}) holds no TCP/UDP socket`);
        }
      });
    }));

  test('a runtime directory writable by group or others, or owned by another user, is refused', async () => {
    const spoilers: [string, (dir: string) => void, RegExp][] = [
      ['world-writable', (dir) => chmodSync(dir, 0o777), /writable by group or others .*refusing/],
      ['group-writable', (dir) => chmodSync(dir, 0o770), /writable by group or others .*refusing/],
      ['owned by nobody', (dir) => chownSync(dir, 65534, 65534), /belongs to uid 65534.*refusing/],
    ];
    for (const [what, spoil, message] of spoilers) {
      await withChaosWorkspace('sec-dir', SLEEPER, async (ws) => {
        spoil(ws.paths.dir);
        try {
          await check(async () => {
            const started = await cli(ws, ['up', '-d']);
            assert.equal(started.code, 1, `${what}: up refuses`);
            assert.match(started.stderr, message);
            assert.deepEqual(markedProcesses(ws.marker), [], `${what}: nothing started`);
          });
        } finally {
          chownSync(ws.paths.dir, process.getuid!(), process.getgid!());
          chmodSync(ws.paths.dir, 0o700);
        }
      });
    }
  });

  test('worker names, RPC params and CLI arguments with shell syntax never run anything', () =>
    withChaosWorkspace('sec-shell', SLEEPER, async (ws) => {
      const pwned = join(ws.dir, 'PWNED');
      const payloads = [`a;touch ${pwned}`, `$(touch ${pwned})`, `\`touch ${pwned}\``, `a|touch ${pwned}`, `a&&touch ${pwned}`, `'; touch ${pwned}; '`];
      for (const payload of payloads) {
        await check(async () => {
          const named = `version: 1\nworkers:\n  ${JSON.stringify(payload)}:\n    command: sleep 1000\n`;
          writeFileSync(join(ws.dir, 'evil.yaml'), named);
          const checked = await cli(ws, ['check', join(ws.dir, 'evil.yaml')]);
          assert.equal(checked.code, 1, `worker name ${payload} is rejected`);
          assert.match(checked.stdout + checked.stderr, /invalid worker name/);
        });
      }
      await up(ws);
      await waitForWorkersUp(ws);
      const { connection, socket } = await connectRpc(ws);
      try {
        for (const payload of payloads) {
          for (const [method, params] of [
            [RestartWorkerRequest.method, { name: payload }],
            [StopWorkerRequest.method, { name: payload }],
            [StartWorkerRequest.method, { name: payload }],
            [LogsRequest.method, { worker: payload }],
            [ReloadRequest.method, { trigger: payload }],
          ] as const) {
            await check(async () => {
              const answer = await connection.sendRequest(method, params).then(
                (result) => ({ result }),
                (error: Error) => ({ error: error.message }),
              );
              assert.ok('error' in answer || method === LogsRequest.method, `${method} ${payload}: ${JSON.stringify(answer)}`);
            });
          }
          await check(async () => {
            await cli(ws, ['logs', payload]);
            await cli(ws, ['restart', payload]);
          });
        }
      } finally {
        connection.dispose();
        socket.destroy();
      }
      assert.equal(existsSync(pwned), false, 'no payload ran');
      assert.equal((await status(ws)).workers[0].state, 'running');
    }));

  test("workers see neither the master's internal variables nor its launcher's", () =>
    withChaosWorkspace('sec-env', SLEEPER, async (ws) => {
      Object.assign(ws.env, { STEWARD_MASTER_SECRET: 'internal', ELECTRON_RUN_AS_NODE: '1' });
      delete ws.env.MALLOC_MMAP_THRESHOLD_;
      await up(ws);
      const running = await waitForWorkersUp(ws);
      await check(() => {
        const env = environOf(running.workers[0].pid!);
        assert.equal(env.get('STEWARD_WORKER'), 'api');
        assert.equal(env.get('STEWARD_INSTANCE'), '0');
        const masterOnly = ['ELECTRON_RUN_AS_NODE', 'MALLOC_MMAP_THRESHOLD_'];
        const leaked = [...env.keys()].filter((key) => key.startsWith('STEWARD_MASTER_') || masterOnly.includes(key));
        assert.deepEqual(leaked, []);
        const master = environOf(running.pid);
        assert.equal(master.get('STEWARD_MASTER_SECRET'), 'internal', 'the master itself had them');
        assert.equal(master.get('MALLOC_MMAP_THRESHOLD_'), '131072', 'and the malloc setting up -d adds');
      });
    }));
});
