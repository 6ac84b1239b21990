import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { readCmdline } from '../../supervisor/process/procfs';
import { awaitImmediateStart, shellCmdlineOf } from '../../supervisor/process/startup';
import { assertNoLeaks, MARKER_VAR, newMarker } from '../helpers/procs';

/** `sh -c SCRIPT` as spawn.ts starts it (own group), with the leak marker in its environment. */
async function shell(script: string, marker: string): Promise<ChildProcess & { pid: number }> {
  const child = spawn('sh', ['-c', script], { detached: true, stdio: 'ignore', env: { PATH: process.env.PATH, [MARKER_VAR]: marker } });
  await once(child, 'spawn');
  return child as ChildProcess & { pid: number };
}

async function end(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  process.kill(-child.pid!, 'SIGKILL');
  await exited;
}

const running = () => new AbortController().signal;

describe('awaitImmediateStart', () => {
  it('counts a simple command as started once it was exec’d and blocked, without waiting for the window', async () => {
    const marker = newMarker('blocked');
    const child = await shell('exec sleep 30', marker);
    try {
      const verdict = await awaitImmediateStart({ pid: child.pid, launch: 'exec', shellCmdline: shellCmdlineOf('exec sleep 30') }, 60_000, running());
      assert.equal(verdict, 'blocked');
      assert.equal(readCmdline(child.pid), 'sleep 30');
    } finally {
      await end(child);
      await assertNoLeaks(marker);
    }
  });

  it('counts a program spawned directly as started once it blocked (it was exec\u2019d when the spawn returned)', async () => {
    const marker = newMarker('direct');
    const child = spawn('sleep', ['30'], { detached: true, stdio: 'ignore', env: { PATH: process.env.PATH, [MARKER_VAR]: marker } });
    await once(child, 'spawn');
    try {
      assert.equal(await awaitImmediateStart({ pid: child.pid!, launch: 'program' }, 60_000, running()), 'blocked');
      const exits = spawn('sleep', ['abc'], { detached: true, stdio: 'ignore', env: { PATH: process.env.PATH, [MARKER_VAR]: marker } });
      const exited = once(exits, 'exit');
      assert.equal(await awaitImmediateStart({ pid: exits.pid!, launch: 'program' }, 300, running()), 'window');
      assert.notEqual((await exited)[0], 0);
    } finally {
      await end(child);
      await assertNoLeaks(marker);
    }
  });

  it('does not take the shell blocking in wait() for the program: a command run through sh gets the whole window', async () => {
    const marker = newMarker('through-sh');
    const child = await shell('sleep 30; true', marker);
    try {
      const started = performance.now();
      assert.equal(await awaitImmediateStart({ pid: child.pid, launch: 'shell' }, 100, running()), 'window');
      assert.ok(performance.now() - started >= 99);
      // Told the shell would exec, it still waits: the blocked process is the shell itself, not past an exec.
      assert.equal(await awaitImmediateStart({ pid: child.pid, launch: 'exec', shellCmdline: shellCmdlineOf('sleep 30; true') }, 100, running()), 'window');
    } finally {
      await end(child);
      await assertNoLeaks(marker);
    }
  });

  it('never counts a program that exits at once, with bad arguments or not found, as started', async () => {
    const marker = newMarker('exits-at-once');
    for (const script of ['exec sleep abc', 'exec steward-no-such-program --serve']) {
      const child = await shell(script, marker);
      const exited = once(child, 'exit');
      assert.equal(await awaitImmediateStart({ pid: child.pid, launch: 'exec', shellCmdline: shellCmdlineOf(script) }, 300, running()), 'window', script);
      const [code] = await exited;
      assert.notEqual(code, 0, script);
    }
    await assertNoLeaks(marker);
  });

  it('ends at once when aborted', async () => {
    const marker = newMarker('aborted');
    const child = await shell('sleep 30; true', marker);
    try {
      const controller = new AbortController();
      const verdict = awaitImmediateStart({ pid: child.pid, launch: 'shell' }, 60_000, controller.signal);
      controller.abort();
      assert.equal(await verdict, 'aborted');
    } finally {
      await end(child);
      await assertNoLeaks(marker);
    }
  });
});
