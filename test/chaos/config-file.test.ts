/**
 * The config file going wrong under a running master, each fault followed
 * by a reload: deleted, emptied, garbage, replaced through a rename (as
 * editors save) with a valid and an invalid config, turned into a symlink
 * (to a valid file, dangling, a loop, to /dev/zero), a directory, a FIFO,
 * and edited while a reload runs. A failed reload must end in wait mode
 * with the right error, in bounded time, with every worker still running
 * under the same pid; the next good reload leaves wait mode.
 *
 * "Unreadable" by permissions cannot be shown here: the suite runs as root,
 * and chmod 000 does not stop root from reading (cli-reload.test.ts uses a
 * symlink loop for it, as do we).
 */
import assert from 'node:assert/strict';
import { mkdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { MessageConnection } from 'vscode-jsonrpc/node';
import { ReloadRequest, type ReloadResult } from '../../shared/protocol';
import { connectRpc, pids, up, waitForWorkersUp, writeConfig, type Workspace } from '../helpers/master';
import { sleep } from '../helpers/procs';
import { iterations, Tally, timedStatus, withChaosWorkspace } from './harness';

const PASSES = iterations(1, 5);
const RELOAD_BUDGET_MS = 5_000;

function config(version: number, readyDelay = 0): string {
  return `version: 1
workers:
  api:
    command: sh -c 'sleep ${readyDelay}; echo up; exec sleep 1000'
    env: { VERSION: "${version}" }
    ready: { log: up, timeout: 5s }
  db:
    command: sleep 1001
`;
}

interface Fault {
  name: string;
  /** Breaks (or changes) the config file; `version` is a fresh number for a valid change. */
  apply(ws: Workspace, version: number): void;
  /** undefined: the reload succeeds; else the error it must report. */
  error?: RegExp;
}

function replaceThroughRename(ws: Workspace, text: string): void {
  const temp = join(ws.dir, '.steward.yaml.swp');
  writeFileSync(temp, text);
  renameSync(temp, ws.config);
}

function replaceWith(ws: Workspace, make: (path: string) => void): void {
  rmSync(ws.config, { recursive: true, force: true });
  make(ws.config);
}

const FAULTS: Fault[] = [
  { name: 'deleted', apply: (ws) => rmSync(ws.config), error: /config file not found/ },
  { name: 'emptied', apply: (ws) => writeConfig(ws, ''), error: /the config file is empty/ },
  { name: 'garbage bytes', apply: (ws) => writeFileSync(ws.config, Buffer.from([0xff, 0xfe, 0x00, 0x3a, 0x0a, 0x5b, 0x7b])), error: /unknown key|missing required key|yaml:/ },
  { name: 'replaced through a rename (valid)', apply: (ws, v) => replaceThroughRename(ws, config(v)) },
  { name: 'replaced through a rename (invalid)', apply: (ws) => replaceThroughRename(ws, config(0).replace('sleep 1001', 'sleep 1001\n    restart: sometimes')), error: /restart/ },
  {
    name: 'a symlink to a valid file',
    apply: (ws, v) => {
      writeFileSync(join(ws.dir, `real-${v}.yaml`), config(v));
      replaceWith(ws, (path) => symlinkSync(`real-${v}.yaml`, path));
    },
  },
  { name: 'a dangling symlink', apply: (ws) => replaceWith(ws, (path) => symlinkSync('nowhere.yaml', path)), error: /config file not found/ },
  { name: 'a symlink loop (unreadable)', apply: (ws) => replaceWith(ws, (path) => symlinkSync('steward.yaml', path)), error: /symbolic link loop/ },
  { name: 'a directory', apply: (ws) => replaceWith(ws, (path) => mkdirSync(path)), error: /is a directory/ },
  { name: 'a FIFO nobody writes to', apply: (ws) => replaceWith(ws, (path) => spawnSync('mkfifo', [path])), error: /not a regular file/ },
  { name: 'a symlink to /dev/zero', apply: (ws) => replaceWith(ws, (path) => symlinkSync('/dev/zero', path)), error: /not a regular file/ },
];

async function reloadWithin(connection: MessageConnection, budgetMs: number): Promise<ReloadResult> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no reload answer within ${budgetMs} ms`)), budgetMs)));
  try {
    return await Promise.race([connection.sendRequest(ReloadRequest.type, { trigger: 'rpc' }), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

describe('the config file going wrong under a running master', () => {
  const tally = new Tally('config file faults (11 kinds + edit mid-reload)');
  after(() => tally.record());

  test(`${PASSES} pass(es) over every fault: the right outcome, wait mode on failure, no worker lost`, async () => {
    let version = 0;
    await withChaosWorkspace('chaos-config', config(0), async (ws) => {
      await up(ws);
      await waitForWorkersUp(ws);
      const { connection, socket } = await connectRpc(ws);
      try {
        for (let pass = 0; pass < PASSES; pass += 1) {
          for (const fault of FAULTS) {
            tally.iteration();
            tally.fault();
            version += 1;
            const before = pids((await timedStatus(connection)).snapshot);
            fault.apply(ws, version);
            const result = await reloadWithin(connection, RELOAD_BUDGET_MS);
            const after = (await timedStatus(connection)).snapshot;
            if (fault.error) {
              assert.equal(result.ok, false, `${fault.name}: the reload is rejected`);
              assert.match(result.error?.message ?? '', fault.error, `${fault.name}: the error says why`);
              assert.equal(after.state, 'wait', `${fault.name}: wait mode`);
              const same = JSON.stringify(pids(after)) === JSON.stringify(before);
              if (!same) tally.lost(1);
              assert.ok(same, `${fault.name}: every worker keeps its pid`);
            } else {
              assert.equal(result.ok, true, `${fault.name}: ${result.error?.message}`);
              assert.equal(after.state, 'running');
              assert.equal(pids(after).db, before.db, `${fault.name}: the unchanged worker keeps its pid`);
            }
            replaceWith(ws, (path) => writeFileSync(path, config(version)));
            assert.equal((await reloadWithin(connection, RELOAD_BUDGET_MS)).ok, true, `after ${fault.name}: a good config is applied`);
            tally.survived();
          }
          await editDuringReload(ws, connection, (version += 2), tally);
        }
      } finally {
        connection.dispose();
        socket.destroy();
      }
    });
  });
});

/**
 * A reload whose worker takes 400 ms to be ready, while the file is
 * rewritten (in two halves, 50 ms apart) under it: that reload applies what
 * it read or rejects a torn file with a located error; the next reload
 * applies the final text.
 */
async function editDuringReload(ws: Workspace, connection: MessageConnection, version: number, tally: Tally): Promise<void> {
  tally.iteration();
  tally.fault();
  writeConfig(ws, config(version - 1, 0.4));
  const during = reloadWithin(connection, RELOAD_BUDGET_MS);
  await sleep(100);
  const final = config(version);
  writeFileSync(ws.config, final.slice(0, final.length / 2));
  await sleep(50);
  writeFileSync(ws.config, final);
  const first = await during;
  assert.ok(first.ok || first.error?.line !== undefined, `a torn read is reported with its location: ${first.error?.message}`);
  const second = await reloadWithin(connection, RELOAD_BUDGET_MS);
  assert.equal(second.ok, true, second.error?.message);
  const running = await waitForWorkersUp(ws);
  assert.equal(running.state, 'running');
  assert.equal(running.workers.length, 2);
  tally.survived();
}
