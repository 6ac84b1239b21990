import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parse } from 'yaml';
import { checkConfigText } from '../../supervisor/config/check';
import { emitStewardYaml } from '../../supervisor/import/emit';
import { toWorkerName, type ImportResult, type ImportedWorker } from '../../supervisor/import/model';

const result = (workers: ImportedWorker[], notes: ImportResult['notes'] = []): ImportResult => ({ kind: 'procfile', file: 'Procfile', workers, notes });

describe('writing steward.yaml', () => {
  it('quotes whatever a command or an env value needs, so it reads back unchanged', () => {
    const tricky = ['echo "a: b" # not a comment', "- dash", '{ not: a map }', '*star', '@at', "it's", 'yes', '123', 'null', ' lead', 'a\nb', '%x'];
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.constantFrom(...tricky), fc.string({ minLength: 1 })), { minLength: 1, maxLength: 6 }), (commands) => {
        const workers = commands.map((command, index) => ({ name: `w${index}`, command, env: { VALUE: command } }));
        const read = parse(emitStewardYaml(result(workers), 'Procfile')) as { workers: Record<string, { command: string; env: { VALUE: string } }> };
        commands.forEach((command, index) => {
          assert.equal(read.workers[`w${index}`].command, command);
          assert.equal(read.workers[`w${index}`].env.VALUE, command);
        });
      }),
    );
  });

  it('writes notes as comments: about the source on top, about a worker above it', () => {
    const yaml = emitStewardYaml(
      result([{ name: 'web', command: 'node web.js', ports: [5000], dependsOn: { db: 'ready' } }, { name: 'db', command: 'postgres', ready: { exec: 'pg_isready' } }], [
        { file: 'Procfile', line: 3, message: 'not a process line, skipped' },
        { file: 'Procfile', line: 1, worker: 'web', message: 'uses $PORT' },
      ]),
      'Procfile',
    );
    assert.equal(
      yaml,
      [
        '# Created by `steward init` from Procfile. Check it with `steward check`.',
        '# Not translated or changed on the way:',
        '#   Procfile:3: not a process line, skipped',
        '',
        'version: 1',
        'workers:',
        '  # Procfile:1: uses $PORT',
        '  web:',
        '    command: node web.js',
        '    ports: [ 5000 ]',
        '    depends_on: { db: ready }',
        '  db:',
        '    command: postgres',
        '    ready: { exec: pg_isready }',
        '',
      ].join('\n'),
    );
    assert.deepEqual(checkConfigText(yaml, '/tmp/steward.yaml', { commandExists: () => true }).diagnostics, []);
  });

  it('writes depends_on as a list when every condition is started', () => {
    const yaml = emitStewardYaml(result([{ name: 'a', command: 'x', dependsOn: { b: 'started', c: 'started' } }]), 'Procfile');
    assert.match(yaml, /depends_on: \[ b, c \]/);
  });

  it('writes an env shared by several workers out in full for each, never as an anchor and aliases', () => {
    const shared = { NODE_ENV: 'development' };
    const yaml = emitStewardYaml(result([{ name: 'a', command: 'x', env: shared }, { name: 'b', command: 'y', env: shared }]), 'process-compose.yaml');
    assert.doesNotMatch(yaml, /[&*]a\d/);
    assert.equal(yaml.match(/NODE_ENV: development/g)?.length, 2);
  });

  it('makes names from other tools into valid worker names', () => {
    assert.deepEqual(['dev:api', 'My App', 'web.1', '__x__', ':::'].map(toWorkerName), ['dev-api', 'my-app', 'web-1', 'x', 'worker']);
  });
});
