import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Backoff, cancellableDelay, DEFAULT_BACKOFF, shouldRestart } from '../../supervisor/core/backoff';

describe('restart policy', () => {
  it('on-failure restarts after a non-zero exit or a signal, not after exit 0', () => {
    assert.equal(shouldRestart('on-failure', { code: 1, signal: null }), true);
    assert.equal(shouldRestart('on-failure', { code: null, signal: 'SIGSEGV' }), true);
    assert.equal(shouldRestart('on-failure', { code: 0, signal: null }), false);
  });

  it('always restarts and never does not', () => {
    assert.equal(shouldRestart('always', { code: 0, signal: null }), true);
    assert.equal(shouldRestart('never', { code: 1, signal: null }), false);
  });
});

describe('Backoff', () => {
  it('doubles the delay after each fast crash and gives up at the limit', () => {
    const backoff = new Backoff();
    const decisions = [1, 2, 3, 4, 5].map(() => backoff.next(10));
    assert.deepEqual(decisions, [
      { giveUp: false, delayMs: 100 },
      { giveUp: false, delayMs: 200 },
      { giveUp: false, delayMs: 400 },
      { giveUp: false, delayMs: 800 },
      { giveUp: true, crashes: 5 },
    ]);
  });

  it('starts over after a stable run', () => {
    const backoff = new Backoff();
    backoff.next(10);
    backoff.next(10);
    assert.deepEqual(backoff.next(DEFAULT_BACKOFF.stableMs), { giveUp: false, delayMs: 100 });
  });

  it('never waits longer than the cap', () => {
    const backoff = new Backoff({ initialMs: 100, maxMs: 300, stableMs: 1_000, maxFastCrashes: 10 });
    const delays = [1, 2, 3, 4].map(() => backoff.next(0));
    assert.deepEqual(delays.map((d) => (d.giveUp ? -1 : d.delayMs)), [100, 200, 300, 300]);
  });

  it('a backoff wait ends at once when cancelled', async () => {
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(), 20);
    assert.equal(await cancellableDelay(10_000, controller.signal), false);
    assert.ok(Date.now() - started < 200);
    assert.equal(await cancellableDelay(5, new AbortController().signal), true);
  });
});
