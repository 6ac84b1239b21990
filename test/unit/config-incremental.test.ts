/**
 * Property test: checking a config from cached per-worker pieces
 * (supervisor/config/incremental.ts) gives exactly what parsing the whole
 * text gives — the same diagnostics, model and outline (the ranges every
 * editor feature reads) — for thousands of mutated configs and for long
 * runs of edits to one config, as typing makes them. The cache lives across
 * all runs, so pieces are reused at shifted offsets, evicted and re-parsed.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { checkConfigText, type CheckOptions } from '../../supervisor/config/check';
import { splitWorkers } from '../../supervisor/config/chunks';
import { parseYamlIncrementally } from '../../supervisor/config/incremental';
import { mutatedConfigs, VALID } from '../helpers/configMutations';

const RUNS = 3_000;
const EDIT_RUNS = 300;
const FILE = join(VALID, 'steward.yaml');
const commandExists: CheckOptions['commandExists'] = (program) => program.length % 2 === 0;

/** Asserts both paths agree on `text`; true when the incremental path was actually taken. */
function assertSameResult(text: string): boolean {
  const incremental = checkConfigText(text, FILE, { commandExists });
  const whole = checkConfigText(text, FILE, { commandExists, wholeDocument: true });
  assert.deepStrictEqual(incremental, whole, `the two paths disagree on:\n${text}`);
  return parseYamlIncrementally(text) !== undefined;
}

const WORKER_STYLES = [
  (name: string, index: number) => `  ${name}:\n    command: node server.js\n    cwd: .\n    ports: [${3000 + index}]\n`,
  (name: string) => `  ${name}:\n    command: "sleep 1000"  # quoted\n    env: { NODE_ENV: development, PORT: "1" }\n    restart: never\n`,
  (name: string, index: number) => `  ${name}:\n    command: |\n      exec sleep 1000\n\n    depends_on: [w${Math.max(0, index - 1)}]\n    ready:\n      log: "ready"\n`,
  (name: string, index: number) => `  # the ${name} worker\n  ${name}:\n    command: npm run dev\n    depends_on: { w${index + 1}: ready, w0: started }\n    stop: { signal: INT, timeout: 5s }\n\n`,
  (name: string) => `  ${name}:\n    command: >-\n      sh -c\n      "exec sleep 1"\n    replicas: 2\n    ready: { tcp: 4000 }\n`,
];

function configOf(workers: number): string {
  const body = Array.from({ length: workers }, (_, index) => WORKER_STYLES[index % WORKER_STYLES.length](`w${index}`, index));
  return `# generated\nversion: 1\nworkers:\n${body.join('')}`;
}

/** One keystroke-sized edit: text typed, deleted or replaced somewhere. */
const edit = fc.record({
  at: fc.nat(),
  remove: fc.nat({ max: 4 }),
  insert: fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom('', 'a', '1', ' ', '  ', ':', ': ', '\n', '\n  ', '\n    ', '\n  w99:\n    command: x\n', '#') },
    { weight: 1, arbitrary: fc.constantFrom('"', "'", '{', '}', '[', ']', ',', '- ', '|', '&a ', '*a', '!!str ', 'workers:', '\t', '\r\n', '---\n') },
    { weight: 1, arbitrary: fc.string({ maxLength: 3 }) },
  ),
});

describe('checking a config from cached per-worker pieces', () => {
  it(`gives exactly the whole-document result for mutated configs (${RUNS} configs)`, () => {
    let incremental = 0;
    fc.assert(
      fc.property(mutatedConfigs, (text) => {
        if (assertSameResult(text)) incremental++;
      }),
      { numRuns: RUNS },
    );
    assert.ok(incremental > RUNS / 5, `the incremental path was taken for ${incremental} of ${RUNS} configs only`);
  });

  it(`gives exactly the whole-document result after every edit of a series (${EDIT_RUNS} series of up to 20 edits)`, () => {
    let incremental = 0;
    let checked = 0;
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.array(edit, { minLength: 1, maxLength: 20 }), (workers, edits) => {
        let text = configOf(workers);
        for (const { at, remove, insert } of edits) {
          const position = at % (text.length + 1);
          text = text.slice(0, position) + insert + text.slice(position + remove);
          checked++;
          if (assertSameResult(text)) incremental++;
        }
      }),
      { numRuns: EDIT_RUNS },
    );
    // Most random edits leave text that is not plain block YAML (they fall back); enough must not.
    assert.ok(incremental > checked / 10, `the incremental path was taken for ${incremental} of ${checked} texts only`);
  });

  it('gives each copy of a repeated worker text its own ranges, and survives the piece cache filling up', () => {
    const copied = 'version: 1\nworkers:\n  a:\n    command: x\n    ports: [1]\n  a:\n    command: x\n    ports: [1]\n';
    assert.ok(assertSameResult(copied), 'a copied worker takes the incremental path');
    assert.ok(assertSameResult(configOf(3)));
    for (let run = 0; run < 3; run++) assertSameResult(configOf(1_000).replace(/w(\d+)/g, `w$1x${run}`));
    assert.ok(assertSameResult(configOf(3)), 'after 3,000 other pieces');
  });

  it('splits a plain config into a header and one chunk per worker, and declines other layouts', () => {
    const split = splitWorkers('version: 1\nworkers:\n  a:\n    command: x\n\n  b:\n    command: y\n');
    assert.deepEqual(split, {
      header: 'version: 1\nworkers:\n',
      chunks: [
        { offset: 20, text: '  a:\n    command: x\n\n' },
        { offset: 41, text: '  b:\n    command: y\n' },
      ],
    });
    assert.equal(splitWorkers('workers:\n  a: { command: x }\nversion: 1\n'), undefined, 'workers is not the last top-level key');
    assert.equal(splitWorkers('version: 1\nworkers:\n\t a:\n'), undefined, 'a tab');
    assert.equal(splitWorkers('version: 1\nworkers:\n  a:\n    command: x\n b:\n'), undefined, 'a second indent');
    assert.equal(splitWorkers('version: 1\nworkers: { a: { command: x } }\n'), undefined, 'a flow mapping');
  });
});
