import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { concatRuns, curveStats, quantile } from './stats.ts';

describe('curve statistics', () => {
  it('computes mean, median and quartiles per step by hand', () => {
    // Step 0 over 4 runs: [4, 1, 3, 2] → mean 2.5, sorted [1, 2, 3, 4]: median 2.5, q25 1.75, q75 3.25.
    // Step 1: [1, 1, 1, 5] → mean 2, median 1, q25 1, q75 2.
    const stats = curveStats([Float32Array.from([4, 1, 3, 2]), Float32Array.from([1, 1, 1, 5])]);
    assert.deepEqual(stats.meanLoss, [2.5, 2]);
    assert.deepEqual(stats.medianLoss, [2.5, 1]);
    assert.deepEqual(stats.q25Loss, [1.75, 1]);
    assert.deepEqual(stats.q75Loss, [3.25, 2]);
    assert.equal(stats.diverged, 0);
  });

  it('counts a run that hits NaN as diverged from then on', () => {
    const stats = curveStats([Float32Array.from([1, 2, 3]), Float32Array.from([NaN, 1, 1]), Float32Array.from([0.5, 1, 1])]);
    assert.equal(stats.diverged, 1);
    assert.equal(stats.meanLoss[2], Infinity);
    assert.equal(stats.medianLoss[2], 1);
  });

  it('interpolates quantiles and concatenates chunks of runs', () => {
    assert.equal(quantile([0, 10], 0.3), 3);
    const joined = concatRuns([[Float32Array.from([1, 2])], [Float32Array.from([3])]]);
    assert.deepEqual(Array.from(joined[0]), [1, 2, 3]);
  });
});
