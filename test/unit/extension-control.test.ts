import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { StatusSnapshot } from '../../shared/protocol';
import { mayControl } from '../../extension/controlRule';

const snapshot = (workersEnabled: boolean): StatusSnapshot => ({
  pid: 4100, state: 'running', generation: 1, config: '/w/steward.yaml', reloads: 1, failedReloads: 0,
  lastReload: null, workers: [], startedAt: 0, workersEnabled,
});

describe('who may reload, start, stop or restart workers (the trust rule)', () => {
  it('a trusted window may, whatever master it talks to', () => {
    assert.equal(mayControl(true, snapshot(true)), true);
    assert.equal(mayControl(true, undefined), true);
  });

  it('an untrusted window may not control a master that runs workers, even one started from a terminal (QA)', () => {
    assert.equal(mayControl(false, snapshot(true)), false);
  });

  it('an untrusted window may not control a master it knows nothing about yet', () => {
    assert.equal(mayControl(false, undefined), false);
  });

  it('an untrusted window may control a master that runs no worker (--untrusted): a reload there only validates', () => {
    assert.equal(mayControl(false, snapshot(false)), true);
  });
});
