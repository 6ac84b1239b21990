import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ImportError } from '../../supervisor/import/model';
import { importProcessCompose } from '../../supervisor/import/processCompose';

const compose = (processes: string) => `version: "0.5"\nprocesses:\n${processes}`;
const only = (processes: string) => importProcessCompose(compose(processes), 'process-compose.yaml').workers[0];
const notesOf = (text: string) => importProcessCompose(text, 'process-compose.yaml').notes.map((note) => `${note.line}: ${note.message}`);

describe('importing process-compose.yaml', () => {
  it('maps command, working_dir, environment list and replicas', () => {
    const worker = only('  api:\n    command: node server.js\n    working_dir: ./api\n    environment:\n      - "PORT=3000"\n      - "URL=postgres://x/y?a=b"\n    replicas: 2\n');
    assert.deepEqual(worker, {
      name: 'api',
      command: 'node server.js',
      cwd: './api',
      env: { PORT: '3000', URL: 'postgres://x/y?a=b' },
      replicas: 2,
      restart: 'never',
      line: 3,
    });
  });

  it('maps depends_on conditions: started → started, healthy and log_ready → ready', () => {
    const text = compose(
      '  db: { command: postgres }\n  cache: { command: redis-server }\n  q: { command: q, ready_log_line: "ready (v1.2)" }\n' +
        '  api:\n    command: x\n    depends_on:\n      db: { condition: process_healthy }\n      cache: { condition: process_started }\n      q: { condition: process_log_ready }\n',
    );
    const { workers } = importProcessCompose(text, 'process-compose.yaml');
    assert.deepEqual(workers[3].dependsOn, { db: 'ready', cache: 'started', q: 'ready' });
    assert.deepEqual(workers[2].ready, { log: 'ready \\(v1\\.2\\)' });
  });

  it('translates process_completed_successfully to completed', () => {
    const text = compose('  migrate: { command: migrate }\n  api:\n    command: x\n    depends_on:\n      migrate:\n        condition: process_completed_successfully\n');
    assert.deepEqual(importProcessCompose(text, 'process-compose.yaml').workers[1].dependsOn, { migrate: 'completed' });
    assert.deepEqual(notesOf(text), []);
  });

  it('approximates a condition steward lacks (process_completed: any exit code) as started and says so on its line', () => {
    const text = compose('  migrate: { command: migrate }\n  api:\n    command: x\n    depends_on:\n      migrate:\n        condition: process_completed\n');
    assert.deepEqual(importProcessCompose(text, 'process-compose.yaml').workers[1].dependsOn, { migrate: 'started' });
    assert.deepEqual(notesOf(text), [
      "7: depends_on: migrate: condition process_completed has no steward equivalent (steward waits for start, readiness or a successful exit); approximated as 'started'",
    ]);
  });

  it('turns an http_get readiness probe into a URL, and its thresholds into one overall timeout', () => {
    const worker = only('  web:\n    command: x\n    readiness_probe:\n      http_get: { host: localhost, scheme: HTTPS, path: health, port: 8443 }\n      initial_delay_seconds: 5\n      period_seconds: 2\n      failure_threshold: 10\n');
    assert.deepEqual(worker.ready, { http: 'https://localhost:8443/health', timeout: '25s', interval: '2s' });
  });

  it('leaves out an http_get probe without a port, with a note, instead of writing a URL the checker refuses', () => {
    const text = compose('  web:\n    command: x\n    readiness_probe:\n      http_get: { path: /health }\n');
    assert.equal(importProcessCompose(text, 'process-compose.yaml').workers[0].ready, undefined);
    assert.deepEqual(notesOf(text), ['5: readiness_probe: http_get needs a port from 1 to 65535 (got none); not translated']);
  });

  it('keeps one probe when both ready_log_line and readiness_probe are given, and says which', () => {
    const text = compose('  web:\n    command: x\n    ready_log_line: listening\n    readiness_probe:\n      exec: { command: "true" }\n');
    assert.deepEqual(importProcessCompose(text, 'process-compose.yaml').workers[0].ready, { log: 'listening' });
    assert.equal(notesOf(text).length, 1);
    assert.match(notesOf(text)[0], /ready_log_line|one probe per worker/);
  });

  it('keeps an exec probe and drops what it cannot express with a note', () => {
    const text = compose('  db:\n    command: x\n    readiness_probe:\n      exec: { command: pg_isready }\n      timeout_seconds: 1\n');
    assert.deepEqual(importProcessCompose(text, 'process-compose.yaml').workers[0].ready, { exec: 'pg_isready', timeout: '30s' });
    assert.deepEqual(notesOf(text), ['5: readiness_probe: timeout_seconds not translated (steward probes until ready or its overall timeout)']);
  });

  it('maps availability restart (always, on_failure, "no"; unset means no) and shutdown signal numbers to names', () => {
    assert.equal(only('  a: { command: x, availability: { restart: always } }\n').restart, 'always');
    assert.equal(only('  a: { command: x, availability: { restart: on_failure } }\n').restart, 'on-failure');
    assert.equal(only('  a: { command: x, availability: { restart: "no" } }\n').restart, 'never');
    assert.equal(only('  a: { command: x }\n').restart, 'never');
    assert.deepEqual(only('  a: { command: x, shutdown: { signal: 2, timeout_seconds: 1.5 } }\n').stop, { signal: 'SIGINT', timeout: '1500ms' });
  });

  it('reports every key it does not translate on its own line, and skips disabled processes', () => {
    const text = 'version: "0.5"\nlog_location: pc.log\nprocesses:\n  a:\n    command: x\n    log_location: a.log\n    is_daemon: true\n    disabled: false\n  b:\n    command: y\n    disabled: true\n';
    assert.deepEqual(notesOf(text), ['2: log_location: not translated', '6: log_location: not translated', '7: is_daemon: not translated', "9: process 'b' is disabled, skipped"]);
  });

  it('drops a dependency on a skipped process, so the result still checks', () => {
    const text = compose('  docs: { command: mkdocs serve, disabled: true }\n  api: { command: x, depends_on: { docs: { condition: process_started } } }\n');
    const [api] = importProcessCompose(text, 'process-compose.yaml').workers;
    assert.equal(api.dependsOn, undefined);
  });

  it('applies the top-level environment to every process, under its own', () => {
    const text = 'environment: ["A=1", "B=2"]\nprocesses:\n  p: { command: x, environment: ["B=3"] }\n';
    assert.deepEqual(importProcessCompose(text, 'process-compose.yaml').workers[0].env, { A: '1', B: '3' });
  });

  it('takes what a process merges from an anchor (`<<: *common`), under its own keys, and leaves the x- holder unmentioned', () => {
    const text = `version: "0.5"
x-common: &common
  availability: { restart: on_failure }
  environment: ["NODE_ENV=development"]
x-quiet: &quiet { shutdown: { signal: 2 } }
processes:
  api:
    <<: *common
    command: node api.js
  web:
    <<: [*quiet, *common]
    command: node web.js
    environment: ["PORT=3001"]
`;
    const { workers, notes } = importProcessCompose(text, 'process-compose.yaml');
    assert.deepEqual(
      workers.map((w) => [w.name, w.restart, w.env, w.stop]),
      [
        ['api', 'on-failure', { NODE_ENV: 'development' }, undefined],
        ['web', 'on-failure', { PORT: '3001' }, { signal: 'SIGINT' }],
      ],
    );
    assert.deepEqual(notes, []);
    const cycle = 'version: "0.5"\nx-c: &c\n  availability: { restart: always }\n  <<: *c\nprocesses:\n  api: { command: x, <<: *c }\n';
    assert.throws(() => importProcessCompose(cycle, 'process-compose.yaml'), {
      message: "cannot read 'x-c': an alias or merge refers back to the mapping it is in",
      line: 2,
    });
    assert.throws(() => importProcessCompose(compose('  api:\n    <<: 3\n    command: x\n'), 'process-compose.yaml'), {
      message: "'<<' merges a mapping, an alias of one (*name) or a list of them",
      line: 4,
    });
  });

  it('reports broken YAML with its line and column', () => {
    assert.throws(
      () => importProcessCompose('processes:\n  api:\n    command: [npm run dev\n  web: {}\n', 'process-compose.yaml'),
      (error: unknown) => error instanceof ImportError && error.line !== undefined && /^invalid YAML/.test(error.message),
    );
    assert.throws(() => importProcessCompose('processes:\n  a: { command: x }\n  a: { command: y }\n', 'process-compose.yaml'), {
      message: 'invalid YAML: Map keys must be unique',
    });
  });

  it('requires a processes mapping', () => {
    assert.throws(() => importProcessCompose('version: "0.5"\nprocesses: [a, b]\n', 'process-compose.yaml'), (error: unknown) => error instanceof ImportError && error.line === 2);
  });
});
