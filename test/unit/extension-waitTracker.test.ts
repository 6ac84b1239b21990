import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { MasterState, StatusSnapshot } from '../../shared/protocol';
import { WaitTracker } from '../../extension/waitTracker';

const push = (state: MasterState): StatusSnapshot => ({
  pid: 4100, state, generation: 2, config: '/w/steward.yaml', reloads: 2, failedReloads: 1,
  lastReload: null, workers: [], startedAt: 0, workersEnabled: true,
});

const transitions = (states: MasterState[]) => {
  const tracker = new WaitTracker();
  return states.map((state) => tracker.next(push(state)));
};

describe('following wait mode across status pushes', () => {
  it('wait → reloading → running leaves wait mode, as a save or `steward reload` pushes it (QA)', () => {
    assert.deepEqual(transitions(['running', 'wait', 'reloading', 'running']), ['none', 'entered', 'none', 'left']);
  });

  it('wait → running (pushes coalesced) leaves wait mode too, once', () => {
    assert.deepEqual(transitions(['wait', 'running', 'reloading', 'running']), ['entered', 'left', 'none', 'none']);
  });

  it('a reload that fails again stays in wait mode without a second announcement', () => {
    assert.deepEqual(transitions(['wait', 'reloading', 'wait']), ['entered', 'none', 'none']);
  });

  it('a reload from running that is rejected enters wait mode after reloading', () => {
    assert.deepEqual(transitions(['running', 'reloading', 'wait']), ['none', 'none', 'entered']);
  });
});
