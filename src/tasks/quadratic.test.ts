import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../random/rng.ts';
import { assertClose, setupBackend } from '../testing/setup.ts';
import { QuadraticFamily, QuadraticTask } from './quadratic.ts';
import { autodiffLossAndGrad, meanLossScale } from './task.ts';

describe('quadratic task', () => {
  before(setupBackend);

  it('computes ||Wθ − y||² and 2Wᵀ(Wθ − y) by hand on a 2-d example', () => {
    // W = [[1, 2], [3, 4]], y = [1, 0], θ = [1, −1]: Wθ − y = [−2, −1], loss = 5,
    // ∇ = 2Wᵀ[−2, −1] = 2·[1·(−2) + 3·(−1), 2·(−2) + 4·(−1)] = [−10, −16].
    const task = new QuadraticTask({ dims: 2, variant: 'paper' }, new Float32Array([1, 2, 3, 4]), new Float32Array([1, 0]), 1);
    const { losses, grads } = task.lossAndGrad([tf.tensor2d([[1, -1]])], 0);
    assertClose(losses.dataSync(), [5]);
    assertClose(grads[0].dataSync(), [-10, -16]);
    const flat = task.flatLossAndGrad([Float32Array.of(1, -1)], 0);
    assert.deepEqual([...flat.losses], [5]);
    assert.deepEqual([...flat.grads[0]], [-10, -16]);
  });

  for (const variant of ['paper', 'deepmind'] as const) {
    it(`closed-form gradient equals autodiff and finite differences (${variant})`, () => {
      const task = new QuadraticFamily({ dims: 10, variant }).sample(new Rng(1), 4);
      const theta = task.init(new Rng(2));
      const closed = task.lossAndGrad(theta, 0);
      const auto = autodiffLossAndGrad(task, theta, 0);
      assertClose(closed.grads[0].dataSync(), auto.grads[0].dataSync(), { rtol: 1e-4, atol: 1e-4 });
      assertClose(closed.losses.dataSync(), auto.losses.dataSync(), { rtol: 1e-6 });
      // The plain-array form meta-training uses gives the same numbers.
      const flat = task.flatLossAndGrad([theta[0].dataSync() as Float32Array], 0);
      assertClose(flat.grads[0], closed.grads[0].dataSync(), { rtol: 1e-5, atol: 1e-6 });
      assertClose(flat.losses, closed.losses.dataSync(), { rtol: 1e-6 });
      // Finite difference of the objective along coordinate (member 2, dim 3).
      const objective = (p: tf.Tensor) => {
        const l = task.loss([p], 0);
        return (variant === 'paper' ? l.sum() : l.mean()).dataSync()[0];
      };
      const eps = 1e-2;
      const e = tf.oneHot([2 * 10 + 3], 40).reshape([4, 10]).mul(eps);
      const fd = (objective(theta[0].add(e)) - objective(theta[0].sub(e))) / (2 * eps);
      assertClose([closed.grads[0].dataSync()[23]], [fd], { rtol: 2e-3, atol: 2e-3 });
    });
  }

  it('draws the variant distributions and sets the objective scale', () => {
    const paper = new QuadraticFamily({ dims: 10, variant: 'paper' }).sample(new Rng(5), 128);
    const deepmind = new QuadraticFamily({ dims: 10, variant: 'deepmind' }).sample(new Rng(5), 128);
    assert.equal(meanLossScale(paper), 1 / 128);
    assert.equal(meanLossScale(deepmind), 1);
    const std = (p: tf.Tensor) => tf.moments(p).variance.sqrt().dataSync()[0];
    assert.ok(Math.abs(std(paper.init(new Rng(1))[0]) - 1) < 0.1);
    assert.ok(Math.abs(std(deepmind.init(new Rng(1))[0]) - 0.01) < 0.001);
  });

  it('same seed, same task', () => {
    const family = new QuadraticFamily();
    const a = family.sample(new Rng(11), 3).loss(family.sample(new Rng(11), 3).init(new Rng(1)), 0).dataSync();
    const b = family.sample(new Rng(11), 3).loss(family.sample(new Rng(11), 3).init(new Rng(1)), 0).dataSync();
    assert.deepEqual(a, b);
  });
});
