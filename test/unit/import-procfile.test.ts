import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ImportError } from '../../supervisor/import/model';
import { importProcfile } from '../../supervisor/import/procfile';

describe('importing a Procfile', () => {
  it('makes a worker of each `name: command` line, skipping comments and blank lines', () => {
    const result = importProcfile('# dev processes\n\nweb: node server.js\nworker:   node worker.js --queue=mail\n', 'Procfile');
    assert.deepEqual(result.workers, [
      { name: 'web', command: 'node server.js', line: 3 },
      { name: 'worker', command: 'node worker.js --queue=mail', line: 4 },
    ]);
    assert.deepEqual(result.notes, []);
  });

  it('reports a line that is not `name: command` with its line number, and skips it', () => {
    const result = importProcfile('web: node server.js\nrelease bin/migrate\nclock:\n', 'Procfile');
    assert.deepEqual(result.workers.map((worker) => worker.name), ['web']);
    assert.deepEqual(result.notes, [
      { file: 'Procfile', line: 2, message: "not a 'name: command' line, skipped: release bin/migrate" },
      { file: 'Procfile', line: 3, message: "process 'clock' has no command, skipped" },
    ]);
  });

  it('gives a command that reads $PORT the port foreman would: 5000, then 100 more per process', () => {
    const result = importProcfile('web: rails s -p $PORT\nworker: sidekiq\ndocs: mkdocs serve -a 127.0.0.1:${PORT}\n', 'Procfile');
    assert.deepEqual(result.workers[0].env, { PORT: '5000' });
    assert.deepEqual(result.workers[0].ports, [5000]);
    assert.equal(result.workers[1].env, undefined);
    assert.deepEqual(result.workers[2].ports, [5200]);
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
