/**
 * Fuzzing with structure-aware mutations of valid configs (the generators
 * of test/helpers/configMutations.ts): CHECKS of them through the checker
 * (never throws, every range inside the document, model iff no error), and
 * RELOADS of them through a real master's reloads (never crashes, answers
 * every reload, keeps serving; a rejected reload's location lies inside the
 * document). Seeded: a failure names the seed that replays it.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import fc from 'fast-check';
import { ReloadRequest, type ReloadResult } from '../../shared/protocol';
import { checkConfigText } from '../../supervisor/config/check';
import { connectRpc, status, up, waitForWorkersUp, writeConfig } from '../helpers/master';
import { assertWellFormed, mutatedConfigs, VALID } from '../helpers/configMutations';
import { CHAOS_SEED, iterations, logTail, Tally, withChaosWorkspace } from './harness';

const CHECKS = iterations(2_000, 10_000);
const RELOADS = iterations(30, 300);
/** Above the default readiness timeout (30 s): a mutation can leave a probe that never passes, without a timeout. */
const RELOAD_BUDGET_MS = 40_000;

/** The seeds' programs (postgres, npm, node scripts) are not here; sleeps let valid mutations really start workers. */
const RUNNABLE: [RegExp, string][] = [
  [/postgres -D data|PORT=3000 node server\.js|node (index|one|two)\.js/g, 'sleep 1000'],
  [/npm run dev/g, 'sh -c "echo ready in 5 ms; exec sleep 1000"'],
  [/test -f \/tmp\/queue\.ready/g, 'true'],
  [/cwd: \.\.\/app/g, 'cwd: .'],
  // Long probe timeouts would make one reload wait 20 s; the master's handling is the same at 300 ms.
  [/\b(timeout:\s*)\d+(m\d+)?s\b/g, '$1300ms'],
];

function runnable(text: string): string {
  return RUNNABLE.reduce((result, [pattern, replacement]) => result.replace(pattern, replacement), text);
}

/** A located error of a reload must point inside the text that was loaded (1-based line and column). */
function assertLocatedInside(result: ReloadResult, text: string): void {
  const error = result.error;
  if (!error || error.line === undefined) return;
  const lines = text.split(/\r\n|\r|\n/);
  assert.ok(error.line >= 1 && error.line <= lines.length, `line ${error.line} of ${lines.length}: ${error.message}`);
  if (error.column !== undefined) {
    assert.ok(error.column >= 1 && error.column <= lines[error.line - 1].length + 1, `column ${error.column} on line ${error.line}: ${error.message}`);
  }
}

describe('fuzzing', () => {
  test(`${CHECKS} mutated configs through the checker`, () => {
    const tally = new Tally('fuzz: mutated configs through the checker');
    try {
      const file = join(VALID, 'steward.yaml');
      fc.assert(
        fc.property(mutatedConfigs, (text) => {
          tally.iteration();
          tally.fault();
          assertWellFormed(text, checkConfigText(text, file, { commandExists: (program) => program.length % 2 === 0 }));
          tally.survived();
        }),
        { numRuns: CHECKS, seed: CHAOS_SEED },
      );
    } finally {
      tally.note(`fast-check seed ${CHAOS_SEED}`);
      tally.record();
    }
  });

  test(`${RELOADS} mutated configs through a real master's reloads`, async () => {
    const tally = new Tally('fuzz: mutated configs through master reloads');
    after(() => tally.record());
    const texts = fc.sample(mutatedConfigs, { numRuns: RELOADS, seed: CHAOS_SEED }).map(runnable);
    await withChaosWorkspace('chaos-fuzz', 'version: 1\nworkers:\n  base:\n    command: sleep 1000\n', async (ws) => {
      // Editor mode: a terminal master exits by design once every worker has ended (a fuzzed config may
      // end them all); an editor's master stays up, so any exit here is a crash.
      await up(ws, ['--editor', '--keep-alive']);
      const masterPid = (await waitForWorkersUp(ws)).pid;
      const { connection, socket } = await connectRpc(ws);
      let applied = 0;
      try {
        for (const [index, text] of texts.entries()) {
          tally.iteration();
          tally.fault();
          writeConfig(ws, text);
          const result = await Promise.race([
            connection.sendRequest(ReloadRequest.type, { trigger: 'rpc' }),
            new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`config #${index} (seed ${CHAOS_SEED}): no answer in ${RELOAD_BUDGET_MS} ms`)), RELOAD_BUDGET_MS).unref()),
          ]);
          if (result.ok) applied += 1;
          assertLocatedInside(result, text);
          const alive = await status(ws).catch((error: Error) => assert.fail(`config #${index} (seed ${CHAOS_SEED}) killed the master: ${error.message}\n${logTail(ws)}`));
          assert.equal(alive.pid, masterPid, `config #${index} (seed ${CHAOS_SEED}): the master is still the same process`);
          tally.survived();
        }
      } finally {
        tally.note(`seed ${CHAOS_SEED}: ${applied} applied, ${texts.length - applied} rejected into wait mode`);
        connection.dispose();
        socket.destroy();
      }
    });
  });
});
