import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ImportError } from '../../supervisor/import/model';
import { importProcfile } from '../../supervisor/import/procfile';

describe('importing a Procfile', () => {
  it('makes a worker of each `name: command` line, skipping comments and blank lines', () => {
    const result = importProcfile('# dev processes\n\nweb: node server.js\nworker:   node worker.js --queue=mail\n', 'Procfile');
    assert.deepEqual(result.workers, [
      { name: 'web', command: 'node server.js', line: 3, env: { PORT: '5000' } },
      { name: 'worker', command: 'node worker.js --queue=mail', line: 4, env: { PORT: '5100' } },
    ]);
    assert.deepEqual(result.notes, [
      { file: 'Procfile', line: 3, message: 'PORT set as foreman gives it to every process (5000 + 100 per process): web 5000, worker 5100; a command reading $PORT declares it as its port' },
    ]);
  });

  it('reports a line that is not `name: command` with its line number, and skips it', () => {
    const result = importProcfile('web: node server.js\nrelease bin/migrate\nclock:\n', 'Procfile');
    assert.deepEqual(result.workers.map((worker) => worker.name), ['web']);
    assert.deepEqual(result.notes.slice(0, 2), [
      { file: 'Procfile', line: 2, message: "not a 'name: command' line, skipped: release bin/migrate" },
      { file: 'Procfile', line: 3, message: "process 'clock' has no command, skipped" },
    ]);
  });

  it('gives every process the PORT foreman would (5000, then 100 more each); a command reading $PORT declares it', () => {
    const result = importProcfile('web: rails s -p $PORT\nworker: node worker.js\ndocs: mkdocs serve -a 127.0.0.1:${PORT:-8000}\n', 'Procfile');
    assert.deepEqual(result.workers.map((worker) => [worker.env, worker.ports]), [
      [{ PORT: '5000' }, [5000]],
      [{ PORT: '5100' }, undefined],
      [{ PORT: '5200' }, [5200]],
    ]);
  });

  it('says why a process is renamed: the name rules, or a name already taken', () => {
    const result = importProcfile('Clock_Tick: a\nweb: b\nweb: c\n', 'Procfile');
    assert.deepEqual(result.workers.map((worker) => worker.name), ['clock_tick', 'web', 'web-2']);
    assert.match(result.notes[0].message, /'Clock_Tick' is named 'clock_tick' \(worker names are lowercase/);
    assert.match(result.notes[1].message, /'web' is named 'web-2' \(names must be unique\)/);
  });

  it('renames a repeated process name instead of losing one of them', () => {
    const result = importProcfile('web: a\nweb: b\n', 'Procfile');
    assert.deepEqual(result.workers.map((worker) => [worker.name, worker.command]), [['web', 'a'], ['web-2', 'b']]);
    assert.match(result.notes[0].message, /process 'web' is named 'web-2'/);
  });

  it('is an error, naming the bad lines, when no line is a process', () => {
    assert.throws(
      () => importProcfile('# nothing\nweb = node server.js\n', 'Procfile'),
      (error: unknown) =>
        error instanceof ImportError &&
        error.line === 2 &&
        error.describe() === "Procfile:2: no valid 'name: command' line (line 2: not a 'name: command' line: web = node server.js)",
    );
  });
});
