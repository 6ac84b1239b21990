/**
 * Property test: thousands of structure-aware mutations of valid configs
 * (keys dropped, renamed, duplicated, values swapped for other types, junk
 * inserted, text truncated or spliced). The checker never throws, every
 * range lies inside the document and is non-empty, and the model is present
 * exactly when there is no error. The generators live in
 * test/helpers/configMutations.ts (the chaos suite feeds them to a master).
 */
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { checkConfigText } from '../../supervisor/config/check';
import { assertWellFormed, mutatedConfigs, VALID } from '../helpers/configMutations';

const RUNS = 5_000;

describe('checking mutated configs', () => {
  it(`never throws and keeps every range inside the document (${RUNS} configs)`, () => {
    const file = join(VALID, 'steward.yaml');
    fc.assert(
      fc.property(mutatedConfigs, (text) => {
        assertWellFormed(text, checkConfigText(text, file, { commandExists: (program) => program.length % 2 === 0 }));
      }),
      { numRuns: RUNS },
    );
  });
});
