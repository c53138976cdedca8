import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PAPER_LSTM } from '../learned/lstmConfig.ts';
import { QuadraticFamily } from '../tasks/quadratic.ts';
import { UserError } from '../io/userError.ts';
import { compareBytes, memoryLimit, refuseAbove, trainBytes } from './limits.ts';

const GiB = 2 ** 30;

describe('size limits checked before allocation', () => {
  it('the limit is half the memory, at most 8 GiB', () => {
    assert.equal(memoryLimit(24 * GiB), 8 * GiB);
    assert.equal(memoryLimit(4 * GiB), 2 * GiB);
  });

  it('train: data, states and one truncation of kept activations, worked out by hand', () => {
    // 10-d quadratics: data d² + d = 110 floats a function; the paper's LSTM (2 × 20 units) keeps
    // (2 + 140) + (20 + 140) = 302 floats per coordinate and step, +2 for the gradient and ∂/∂update;
    // state 2·40 + 4 = 84 floats per coordinate.
    const family = new QuadraticFamily({ dims: 10, variant: 'paper' });
    const bytes = trainBytes(family, PAPER_LSTM, 128, 1024, 20);
    assert.equal(bytes, 4 * (128 * 110 + 1024 * 110 + 1280 * (84 + 20 * 304) + 10240 * 84));
    // 'both' inputs: four input features, so 2 more floats per coordinate and step.
    assert.equal(trainBytes(family, { ...PAPER_LSTM, inputs: 'both' }, 128, 1024, 20), bytes + 4 * 1280 * 20 * 2);
  });

  it('compare: loss curves of every run (with the copy made when chunks are joined) and the optimizees in flight', () => {
    const family = new QuadraticFamily({ dims: 2, variant: 'paper' });
    const { curves, tasks } = compareBytes(family, 3, 2, 10, 1000, 99, 128, 1000, 2);
    assert.equal(curves, 3 * 1000 * 100 * 8 + 2 * 10 * 128 * 100 * 4);
    assert.equal(tasks, (1000 * 6 + 2000 * 84) * 4 * 2);
  });

  it('refuses above the limit with the estimate, the limit and what to change', () => {
    refuseAbove(GiB, 'compare', 'x', 'y', 2 * GiB);
    assert.throws(() => refuseAbove(3 * GiB, 'compare', 'curves', 'use fewer --runs', 2 * GiB), (e: Error) => {
      assert.ok(e instanceof UserError);
      assert.equal(e.message, 'compare would need about 3.0 GiB (curves), above the limit of 2.0 GiB (half of this machine\'s memory, at most 8 GiB): use fewer --runs');
      return true;
    });
  });
});
