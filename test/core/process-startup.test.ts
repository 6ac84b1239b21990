import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { readCmdline } from '../../supervisor/process/procfs';
import { awaitImmediateStart, shellCmdlineOf, type StartupVerdict, type StartupWatch } from '../../supervisor/process/startup';
import { assertNoLeaks, MARKER_VAR, newMarker } from '../helpers/procs';

const dir = mkdtempSync(join(tmpdir(), 'steward-startup-'));
after(() => rmSync(dir, { recursive: true, force: true }));

type Started = ChildProcess & { pid: number };

/** Started as spawn.ts starts a worker (own group), with the leak marker in its environment. */
async function start(program: string, args: string[], marker: string): Promise<Started> {
  const child = spawn(program, args, { detached: true, stdio: 'ignore', cwd: dir, env: { PATH: process.env.PATH, [MARKER_VAR]: marker } });
  await once(child, 'spawn');
  return child as Started;
}

const shell = (script: string, marker: string) => start('sh', ['-c', script], marker);

async function end(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  process.kill(-child.pid!, 'SIGKILL');
  await exited;
}

const running = () => new AbortController().signal;

/** The verdict, or how the program exited if that came first (as workerRun races them, and then ends the wait). */
async function outcome(child: Started, watch: StartupWatch, windowMs: number): Promise<StartupVerdict | `exit ${number}`> {
  const exited = once(child, 'exit').then(([code]) => `exit ${code as number}` as const);
  const done = new AbortController();
  try {
    return await Promise.race([awaitImmediateStart(watch, windowMs, done.signal), exited]);
  } finally {
    done.abort();
  }
}

describe('awaitImmediateStart', () => {
  it('counts a simple command as started once it was exec’d and its tree is quiet, without waiting for the window', async () => {
    const marker = newMarker('quiet');
    const child = await shell('exec sleep 30', marker);
    try {
      const started = performance.now();
      const verdict = await awaitImmediateStart({ pid: child.pid, launch: 'exec', shellCmdline: shellCmdlineOf('exec sleep 30') }, 60_000, running());
      assert.equal(verdict, 'quiet');
      assert.equal(readCmdline(child.pid), 'sleep 30');
      // Single-threaded and blocked in a known wait: no settling time.
      assert.ok(performance.now() - started < 1_000);
    } finally {
      await end(child);
      await assertNoLeaks(marker);
    }
  });

  it('counts a program spawned directly as started once it blocked in a wait for the world', async () => {
    const marker = newMarker('direct');
    const child = await start('sleep', ['30'], marker);
    try {
      assert.equal(await awaitImmediateStart({ pid: child.pid, launch: 'program' }, 60_000, running()), 'quiet');
      const exits = await start('sleep', ['abc'], marker);
      assert.match(await outcome(exits, { pid: exits.pid, launch: 'program' }, 60_000), /^exit [1-9]/);
    } finally {
      await end(child);
      await assertNoLeaks(marker);
    }
  });

  it('catches a Node script that is missing, does not parse or throws while it loads: it exits before it is quiet', async () => {
    const marker = newMarker('node-crash');
    writeFileSync(join(dir, 'bad.js'), 'this is not javascript\n');
    writeFileSync(join(dir, 'throws.mjs'), 'await import("node:fs/promises").then((fs) => fs.readFile("/proc/self/stat"));\nawait import("./missing.mjs");\n');
    for (const script of ['missing.js', 'bad.js', 'throws.mjs']) {
      const child = await start(process.execPath, [script], marker);
      assert.equal(await outcome(child, { pid: child.pid, launch: 'program' }, 60_000), 'exit 1', script);
    }
    await assertNoLeaks(marker);
  });

  it('counts a Node server as started once it waits for connections', async () => {
    const marker = newMarker('node-server');
    writeFileSync(join(dir, 'server.js'), 'require("node:http").createServer((q, r) => r.end()).listen(0, "127.0.0.1");\n');
    const child = await start(process.execPath, ['server.js'], marker);
    try {
      assert.equal(await outcome(child, { pid: child.pid, launch: 'program' }, 60_000), 'quiet');
      assert.equal(child.exitCode, null);
    } finally {
      await end(child);
      await assertNoLeaks(marker);
    }
  });

  it('judges a command sh runs itself by the shell’s children: a crash behind `cd … &&` is caught, a waiting child is quiet', async () => {
    const marker = newMarker('through-sh');
    // Several times: Node's main thread exits before its other threads, and a half-exited child is not a finished one.
    for (let attempt = 0; attempt < 5; attempt++) {
      const crashes = await shell(`cd ${dir} && ${process.execPath} missing.js`, marker);
      assert.equal(await outcome(crashes, { pid: crashes.pid, launch: 'shell' }, 60_000), 'exit 1', `attempt ${attempt + 1}`);
    }
    const waits = await shell('sleep 30; true', marker);
    try {
      assert.equal(await outcome(waits, { pid: waits.pid, launch: 'shell' }, 60_000), 'quiet');
      // Told the shell would exec, it still waits: the quiet process is the shell itself, not past an exec.
      assert.equal(await outcome(waits, { pid: waits.pid, launch: 'exec', shellCmdline: shellCmdlineOf('sleep 30; true') }, 100), 'window');
    } finally {
      await end(waits);
      await assertNoLeaks(marker);
    }
  });

  it('does not wait for a child the program never reaps: a zombie runs nothing', async () => {
    const marker = newMarker('zombie-child');
    const script = 'sleep 0 & exec sleep 30';
    const child = await shell(script, marker);
    try {
      assert.equal(await outcome(child, { pid: child.pid, launch: 'exec', shellCmdline: shellCmdlineOf(script) }, 60_000), 'quiet');
    } finally {
      await end(child);
      await assertNoLeaks(marker);
    }
  });

  it('counts a tree that never goes quiet (a busy loop) as started when the window ends', async () => {
    const marker = newMarker('busy');
    const child = await shell('while :; do :; done', marker);
    try {
      const started = performance.now();
      assert.equal(await outcome(child, { pid: child.pid, launch: 'shell' }, 200), 'window');
      assert.ok(performance.now() - started >= 199);
    } finally {
      await end(child);
      await assertNoLeaks(marker);
    }
  });

  it('never counts a program that exits at once, with bad arguments or not found, as started', async () => {
    const marker = newMarker('exits-at-once');
    for (const script of ['exec sleep abc', 'exec steward-no-such-program --serve']) {
      const child = await shell(script, marker);
      assert.match(await outcome(child, { pid: child.pid, launch: 'exec', shellCmdline: shellCmdlineOf(script) }, 60_000), /^exit [1-9]/, script);
    }
    await assertNoLeaks(marker);
  });

  it('ends at once when aborted', async () => {
    const marker = newMarker('aborted');
    const child = await shell('while :; do :; done', marker);
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
