/** YAML merge keys (`<<: *base`) in steward.yaml: what the checker takes from them, and where it says what is wrong. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { checkConfigText } from '../../supervisor/config/check';
import { workerNamesInText } from '../../supervisor/lsp/features/cursorContext';
import { workerNameSites } from '../../supervisor/lsp/features/outlineLookup';

const scratch = mkdtempSync(join(tmpdir(), 'steward-merge-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

const check = (text: string) => checkConfigText(text, join(scratch, 'steward.yaml'), { commandExists: () => true });
const problems = (text: string) => check(text).diagnostics.map((d) => `${d.range.start.line + 1}:${d.range.start.character + 1} ${d.message}`);
const workers = (text: string) => Object.fromEntries((check(text).config?.workers ?? []).map((w) => [w.name, { command: w.command, restart: w.restart, env: w.env }]));

describe('merge keys', () => {
  it('give a worker the keys of the anchored mapping it does not set itself, the required command included', () => {
    const text = `version: 1
x-base: &base
  command: sleep 100
  restart: always
  env: { NODE_ENV: development }
workers:
  api:
    <<: *base
    restart: never
  web:
    <<: *base
    env:
      <<: { NODE_ENV: production, LOG: debug }
      PORT: "3001"
`;
    assert.deepEqual(problems(text), []);
    assert.deepEqual(workers(text), {
      api: { command: 'sleep 100', restart: 'never', env: { NODE_ENV: 'development' } },
      web: { command: 'sleep 100', restart: 'always', env: { PORT: '3001', NODE_ENV: 'production', LOG: 'debug' } },
    });
  });

  it('take the earlier of several sources, and a source’s own keys over what it merges in turn', () => {
    const text = `version: 1
x-a: &a { command: sleep 1, restart: never }
x-b: &b { command: sleep 2, restart: always, env: { B: "1" } }
x-c: &c { <<: *b, command: sleep 3 }
workers:
  one:
    <<: [*a, *b]
  two:
    <<: *c
`;
    assert.deepEqual(workers(text), {
      one: { command: 'sleep 1', restart: 'never', env: { B: '1' } },
      two: { command: 'sleep 3', restart: 'always', env: { B: '1' } },
    });
  });

  it('count merged probe kinds for the exactly-one rule: a probe from a merge alone is one, beside an own one two', () => {
    const merged = `version: 1
x-probe: &probe { http: "http://127.0.0.1:4555/health", timeout: 5s }
workers:
  api: { command: sleep 100, ready: { <<: *probe } }
`;
    assert.deepEqual(problems(merged), []);
    assert.equal(check(merged).config?.workers[0].ready?.kind, 'http');
    const both = `version: 1
workers:
  api:
    command: sleep 100
    ready:
      <<: { tcp: 4558 }
      log: hi
`;
    assert.deepEqual(problems(both), ["6:13 'ready' has both 'log' and 'tcp': keep exactly one of tcp, http, log or exec"]);
  });

  it('read workers merged in at the top level, and report a key repeated inside a merged mapping', () => {
    const top = `version: 1
x-all: &all
  workers: { a: { command: sleep 100 } }
<<: *all
`;
    assert.deepEqual(Object.keys(workers(top)), ['a']);
    const repeated = `version: 1
x-a: &a
  restart: never
  restart: always
workers:
  w: { <<: *a, command: sleep 1 }
`;
    assert.deepEqual(problems(repeated), ["4:3 duplicate key 'restart' (first defined on line 3)"]);
  });

  it('merge a !!merge-tagged key, and say when an alias names no anchor', () => {
    const tagged = `version: 1
x-b: &b { restart: always }
workers:
  w:
    ? !!merge "<<"
    : *b
    command: sleep 1
`;
    assert.equal(workers(tagged).w?.restart, 'always');
    const unknown = `version: 1
workers:
  w:
    <<: *nope
    command: sleep 1
`;
    assert.ok(problems(unknown).some((line) => line.includes("*nope, which names no anchor (&nope) before it")), problems(unknown).join('\n'));
  });

  it('count a merged ready probe for a dependent that waits until ready', () => {
    const text = `version: 1
x-probed: &probed { ready: { tcp: 5432 } }
workers:
  db:
    <<: *probed
    command: sleep 100
  api:
    command: sleep 100
    depends_on: { db: ready }
`;
    assert.deepEqual(problems(text), []);
  });

  it('give a rename one site for a depends_on in an anchor that several workers merge', () => {
    const text = `version: 1
x-after-db: &after-db { depends_on: [db] }
workers:
  db:
    command: sleep 100
  api:
    <<: *after-db
    command: sleep 100
  web:
    <<: *after-db
    command: sleep 100
`;
    const { outline } = check(text);
    assert.equal(outline.references.filter((ref) => ref.name === 'db').length, 2, 'a reference of each worker that merges it');
    assert.deepEqual(workerNameSites(outline, 'db').map((site) => [site.kind, site.range.start.line, site.range.start.character]), [
      ['declaration', 3, 2],
      ['reference', 1, 37],
    ]);
  });

  it('are no worker name to complete in a depends_on', () => {
    assert.deepEqual(workerNamesInText('version: 1\nworkers:\n  <<: *more\n  db:\n    command: sleep 1\n  api:\n    command: sleep 1\n'), ['db', 'api']);
  });

  it('report a mistake inside the anchored mapping where it is written, once though several workers take it', () => {
    const text = `version: 1
x-base: &base
  command: sleep 100
  restart: sometimes
workers:
  api:
    <<: *base
  web:
    <<: *base
  db:
    <<: *base
    restart: always
`;
    // Found for api and for web, at the same place in the same words: shown once.
    assert.deepEqual(problems(text), ["4:12 expected one of always, on-failure, never for 'restart', got a string ('sometimes')"]);
  });

  it('refuse a merge of something that is not a mapping, at that value; a quoted "<<" is an ordinary key', () => {
    const text = `version: 1
workers:
  api:
    <<: sleep 1
  web:
    "<<": { command: sleep 1 }
    command: sleep 2
`;
    assert.deepEqual(problems(text), [
      "3:3 missing required key 'command' in worker 'api'",
      "4:9 '<<' merges a mapping, an alias of one (*name) or a list of them, got a string ('sleep 1')",
      "6:5 unknown key '<<' in worker 'web' (keys of your own start with 'x-')",
    ]);
  });

  it('end at a mapping that merges itself, and list merged keys apart from the mapping’s own in the outline', () => {
    const cycle = `version: 1
workers:
  api: &api
    <<: *api
    command: sleep 1
`;
    assert.deepEqual(workers(cycle), { api: { command: 'sleep 1', restart: 'on-failure', env: {} } });
    const merged = `version: 1
x-base: &base { restart: always }
workers:
  api:
    <<: *base
    command: sleep 1
`;
    const api = check(merged).outline.maps.find((map) => map.path.join('.') === 'workers.api');
    assert.deepEqual(api?.entries.map((entry) => entry.key), ['<<', 'command']);
    assert.deepEqual(api?.merged?.map((entry) => [entry.key, entry.keyRange.start.line]), [['restart', 1]]);
  });
});
