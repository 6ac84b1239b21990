import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { plainArgv, shellScript } from '../../supervisor/process/commandLine';
import { workerEnv } from '../../supervisor/process/env';
import { masterEnv } from '../../supervisor/runtime/spawnMaster';
import { decodeLines } from '../../supervisor/process/lines';
import { readCmdline } from '../../supervisor/process/procfs';
import { spawnProcess, SpawnError, type OutputStream } from '../../supervisor/process/spawn';
import { assertNoLeaks, MARKER_VAR, newMarker, waitUntil } from '../helpers/procs';

function collect(marker: string, command: string, env: Record<string, string> = {}, base: NodeJS.ProcessEnv = process.env) {
  const lines: { stream: OutputStream; text: string }[] = [];
  const started = spawnProcess({
    command,
    cwd: tmpdir(),
    env: { ...workerEnv(base, env, { worker: 'w', instance: 0 }), [MARKER_VAR]: marker },
    onLines: (stream, parts) => {
      lines.push(...decodeLines(Buffer.concat(parts)).split('\n').map((text) => ({ stream, text })));
    },
    leftovers: { signal: 'SIGTERM', timeoutMs: 500 },
  });
  return { lines, started };
}

describe('spawnProcess', () => {
  it('reports the program’s own pid for a simple command, with no idle sh in between', async () => {
    const marker = newMarker('own-pid');
    const proc = await collect(marker, `sleep 30 ${marker.length}`).started;
    try {
      // sh execs the program a moment after the spawn returns.
      await waitUntil(() => readCmdline(proc.pid) === `sleep 30 ${marker.length}`, { timeoutMs: 1_000, message: 'sleep replaced sh' });
      assert.equal(proc.pgid, proc.pid);
    } finally {
      await proc.stop('SIGTERM', 1_000);
      await assertNoLeaks(marker);
    }
  });

  it('reports the program’s own pid when quotes or a substitution hold control characters, or the command redirects', async () => {
    const marker = newMarker('own-pid-quoted');
    for (const command of [`sleep 31 2>&1`, `sleep $((30 + 2))`, `node -e "setInterval(() => {}, 1e6)"`]) {
      const proc = await collect(marker, command).started;
      try {
        const program = command.split(' ')[0];
        await waitUntil(() => readCmdline(proc.pid).startsWith(`${program} `), { timeoutMs: 2_000, message: `${program} replaced sh` });
      } finally {
        await proc.stop('SIGTERM', 1_000);
      }
    }
    await assertNoLeaks(marker);
  });

  it('gives the exec\'d program the values sh gives leading assignments, substitutions with blanks included', async () => {
    const marker = newMarker('assignments');
    const command = 'V=$(echo a b) W=`echo 3141` X=$((3130 + 1)) Y="c d" printenv V W X Y';
    const { lines, started } = collect(marker, command);
    const proc = await started;
    assert.equal((await proc.exited).status, 0);
    assert.deepEqual(lines.filter((line) => line.stream === 'stdout').map((line) => line.text), ['a b', '3141', '3131', 'c d']);
    await assertNoLeaks(marker);
  });

  it('gives a program its working directory as PWD, spawned directly or through sh', async () => {
    const marker = newMarker('pwd');
    for (const command of ['printenv PWD', 'printenv PWD; true']) {
      const { lines, started } = collect(marker, command, { PWD: '/somewhere/else' });
      await (await started).exited;
      assert.deepEqual(lines.filter((line) => line.stream === 'stdout').map((line) => line.text), [tmpdir()], command);
    }
    await assertNoLeaks(marker);
  });

  it('runs a plain command’s script that has no #! line through sh, as sh -c would', async () => {
    const marker = newMarker('no-shebang');
    const dir = mkdtempSync(join(tmpdir(), 'steward-no-shebang-'));
    const script = join(dir, 'serve');
    writeFileSync(script, 'echo "no shebang, run by $0"\nexec sleep 30\n', { mode: 0o755 });
    const { lines, started } = collect(marker, script);
    const proc = await started;
    try {
      await waitUntil(() => lines.some((line) => line.text.startsWith('no shebang, run by')), { timeoutMs: 2_000, message: 'the script ran' });
      await waitUntil(() => readCmdline(proc.pid) === 'sleep 30', { timeoutMs: 1_000, message: 'the script exec’d its program' });
    } finally {
      await proc.stop('SIGTERM', 1_000);
      await assertNoLeaks(marker);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps sh as the leader of a command with shell syntax, and stops the whole group', async () => {
    const marker = newMarker('compound');
    const proc = await collect(marker, 'sleep 30; true').started;
    assert.match(readCmdline(proc.pid), /^sh -c sleep 30; true/);
    await proc.stop('SIGTERM', 1_000);
    assert.equal((await proc.exited).signal, 'SIGTERM');
    await assertNoLeaks(marker);
  });

  it('delivers every line printed just before exit, with and without a final newline', async () => {
    const marker = newMarker('final-lines');
    const { lines, started } = collect(marker, "printf 'one\\ntwo\\n'; printf 'err-last' >&2; printf 'three\\nno-newline'; exit 4");
    const exit = await (await started).exited;
    assert.equal(exit.status, 4);
    assert.deepEqual(lines.filter((l) => l.stream === 'stdout').map((l) => l.text), ['one', 'two', 'three', 'no-newline']);
    assert.deepEqual(lines.filter((l) => l.stream === 'stderr').map((l) => l.text), ['err-last']);
    await assertNoLeaks(marker);
  });

  it('gives workers the configured env and their identity, but not the master’s internal variables', async () => {
    const marker = newMarker('env');
    process.env.STEWARD_MASTER_SECRET = 'internal';
    try {
      const { lines, started } = collect(marker, 'echo "$GREETING/$STEWARD_WORKER/$STEWARD_INSTANCE/${STEWARD_MASTER_SECRET:-unset}"', { GREETING: 'hi' });
      await (await started).exited;
      assert.deepEqual(lines.map((l) => l.text), ['hi/w/0/unset']);
    } finally {
      delete process.env.STEWARD_MASTER_SECRET;
      await assertNoLeaks(marker);
    }
  });

  it('keeps from workers the malloc settings the launcher added for the master, not ones the user set', async () => {
    const marker = newMarker('env-malloc');
    const saved = process.env.MALLOC_MMAP_THRESHOLD_;
    try {
      delete process.env.MALLOC_MMAP_THRESHOLD_;
      const added = masterEnv(process.env);
      assert.equal(added.MALLOC_MMAP_THRESHOLD_, '131072');
      assert.equal(process.env.MALLOC_MMAP_THRESHOLD_, undefined, 'the launcher’s own environment is not touched');
      const own = masterEnv({ ...process.env, MALLOC_MMAP_THRESHOLD_: '65536' });
      assert.equal(own.MALLOC_MMAP_THRESHOLD_, '65536');
      const seen: string[] = [];
      for (const base of [added, own]) {
        const { lines, started } = collect(marker, 'echo "${MALLOC_MMAP_THRESHOLD_:-unset}"', {}, base);
        await (await started).exited;
        seen.push(...lines.map((l) => l.text));
      }
      assert.deepEqual(seen, ['unset', '65536']);
    } finally {
      if (saved === undefined) delete process.env.MALLOC_MMAP_THRESHOLD_;
      else process.env.MALLOC_MMAP_THRESHOLD_ = saved;
      await assertNoLeaks(marker);
    }
  });

  it('fails with a clear error when the working directory does not exist', async () => {
    await assert.rejects(
      spawnProcess({ command: 'true', cwd: '/no/such/dir', env: {}, onLines: () => undefined, leftovers: { signal: 'SIGTERM', timeoutMs: 100 } }),
      (error: Error) => error instanceof SpawnError && /working directory \/no\/such\/dir does not exist/.test(error.message),
    );
  });

  it('loses no line at the end of 100 MB of output printed at full speed', async (t) => {
    const marker = newMarker('flood');
    let count = 0;
    let last = '';
    const line = 'x'.repeat(99);
    const started = performance.now();
    const proc = await spawnProcess({
      command: `yes ${line} | head -n 1000000; echo END`,
      cwd: tmpdir(),
      env: { ...workerEnv(process.env, {}, { worker: 'w', instance: 0 }), [MARKER_VAR]: marker },
      onLines: (_stream, parts, lines) => {
        count += lines;
        const bytes = parts.at(-1)!;
        last = decodeLines(bytes, bytes.lastIndexOf(0x0a) + 1);
      },
      leftovers: { signal: 'SIGTERM', timeoutMs: 500 },
    });
    await proc.exited;
    const seconds = (performance.now() - started) / 1_000;
    t.diagnostic(`100 MB in ${seconds.toFixed(2)} s: ${Math.round(count / seconds).toLocaleString('en')} lines/s through spawn + splitter`);
    assert.equal(count, 1_000_001);
    assert.equal(last, 'END');
    await assertNoLeaks(marker);
  });
});

describe('shellScript', () => {
  it('execs simple commands, after plain leading assignments', () => {
    assert.equal(shellScript('node server.js --port $PORT'), 'exec node server.js --port $PORT');
    assert.equal(shellScript('PORT=3000 DEBUG=1 node server.js'), 'PORT=3000 DEBUG=1 exec node server.js');
  });

  it('execs after assignments whose one-word values hold blanks in quotes or substitutions', () => {
    const assignments = ['PORT=$((3130 + STEWARD_INSTANCE))', 'PORT=$(cat .port)', 'PORT=`echo 3141`', 'TITLE="a b"', "Q='x y'", 'E=a\\ b', 'A=1'];
    for (const assignment of assignments) {
      assert.equal(shellScript(`${assignment} node server.js`), `${assignment} exec node server.js`, assignment);
    }
    assert.equal(shellScript('A=1 B=$(echo b c) node x'), 'A=1 B=$(echo b c) exec node x');
  });

  it('execs simple commands whose quotes or substitutions hold control characters, and commands with redirections', () => {
    for (const command of ['sleep $((1000 + 17))', 'node x --port $(cat .port)', 'echo "$(date; uptime)" `date`', 'node -e "setInterval(() => {}, 1e6)"', `python3 -c 'import time; time.sleep(1000)'`, 'echo "a|b & c" \\; d', 'sleep 1055 2>&1', 'a > log', 'a <&3', 'node -e "console.log(\\"x\\")"']) {
      assert.equal(shellScript(command), `exec ${command}`, command);
    }
  });

  it('leaves anything with shell syntax, nothing but assignments or shell builtins unchanged', () => {
    const complex = ['a && b', 'a | b', 'a; b', 'a &', 'a &> log', 'a $(b) ; c', 'echo $(date', 'echo `date', 'echo $(case a in a) b;; esac)', 'a\nb', '(a)', 'echo "open', "echo 'open", 'A=1', 'A=1 B=$(x)', 'A=$(x) cd y', 'exit 3', 'cd x', ''];
    for (const command of complex) {
      assert.equal(shellScript(command), command, command);
    }
  });
});

describe('plainArgv', () => {
  it('splits a command of plain words, which sh would take literally, into the argv to spawn directly', () => {
    assert.deepEqual(plainArgv('sleep 1000'), ['sleep', '1000']);
    assert.deepEqual(plainArgv('  node ./dist/server.js --port=3000\t-v '), ['node', './dist/server.js', '--port=3000', '-v']);
    assert.deepEqual(plainArgv('npx vite --host 0.0.0.0 user@host:8080,9090 100% a+b'), ['npx', 'vite', '--host', '0.0.0.0', 'user@host:8080,9090', '100%', 'a+b']);
  });

  it('leaves to sh what it would expand, quote, glob or parse, assignments and builtins', () => {
    const needSh = ['node $ENTRY', 'echo "a b"', "echo 'a'", 'ls *.js', 'cat ~/x', 'a # comment', 'a && b', 'a | b', 'a > log', 'echo a\\ b', 'echo {a,b}', 'PORT=1 node x', 'cd x', 'exit 3', 'a\nb', ''];
    for (const command of needSh) assert.equal(plainArgv(command), null, command);
  });
});
