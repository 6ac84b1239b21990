import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isStalePlanLens } from '../../extension/planLens';

describe('a click on the reload plan lens', () => {
  it('is stale when the document changed since the plan was computed (QA: a plan shown above a buffer with an error)', () => {
    assert.equal(isStalePlanLens({ version: 7 }, 9), true);
  });

  it('acts when the plan is of the text as it stands', () => {
    assert.equal(isStalePlanLens({ version: 9 }, 9), false);
  });

  it('acts for a reload from the palette or the view (no lens argument), or with the config not open', () => {
    assert.equal(isStalePlanLens(undefined, 9), false);
    assert.equal(isStalePlanLens({ name: 'api' }, 9), false);
    assert.equal(isStalePlanLens({ version: 7 }, undefined), false);
  });
});
