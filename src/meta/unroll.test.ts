import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { sgd } from '../optimizers/sgd.ts';
import { QuadraticTask } from '../tasks/quadratic.ts';
import { assertClose, setupBackend } from '../testing/setup.ts';
import { unroll, Unroller } from './unroll.ts';

describe('unroll', () => {
  before(setupBackend);

  // (wθ − y)² with w = 2, y = 1, θ0 = 0, SGD lr 0.1: ∇ = 2w(wθ − y).
  // θ: 0 → 0.4 → 0.48; loss: 1 → (0.8 − 1)² = 0.04 → (0.96 − 1)² = 0.0016.
  const task = () => new QuadraticTask({ dims: 1, variant: 'paper' }, Float32Array.of(2), Float32Array.of(1), 1);

  it('records the loss after each update, worked out by hand', () => {
    const { losses } = unroll(task(), sgd(0.1), [tf.zeros([1, 1])], 2);
    assertClose(losses.map((l) => l[0]), [1, 0.04, 0.0016], { atol: 1e-6 });
  });

  it('the step-at-a-time Unroller gives the same numbers and frees what it holds', () => {
    const theta0 = [tf.zeros([1, 1])];
    const before = tf.memory().numTensors;
    const unroller = new Unroller(task(), sgd(0.1), theta0);
    const losses = [unroller.advance(), unroller.advance(), unroller.advance(false)].map((l) => l[0]);
    assert.equal(unroller.t, 2);
    unroller.dispose();
    assertClose(losses, [1, 0.04, 0.0016], { atol: 1e-6 });
    assert.equal(tf.memory().numTensors, before + 3, 'only the task tensors (W, Wᵀ, y) remain');
  });
});
