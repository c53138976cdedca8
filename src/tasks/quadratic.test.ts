import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../random/rng.ts';
import { assertClose, setupBackend } from '../testing/setup.ts';
import { QuadraticFamily, QuadraticTask } from './quadratic.ts';
import { autodiffLossAndGrad, meanLossScale, paramTensors } from './task.ts';

describe('quadratic task', () => {
  before(setupBackend);

  it('computes ||Wθ − y||² and 2Wᵀ(Wθ − y) by hand on a 2-d example', () => {
    // W = [[1, 2], [3, 4]], y = [1, 0], θ = [1, −1]: Wθ − y = [−2, −1], loss = 5,
    // ∇ = 2Wᵀ[−2, −1] = 2·[1·(−2) + 3·(−1), 2·(−2) + 4·(−1)] = [−10, −16].
    const task = new QuadraticTask({ dims: 2, variant: 'paper' }, new Float32Array([1, 2, 3, 4]), new Float32Array([1, 0]), 1);
    const { losses, grad } = task.lossAndGrad(Float32Array.of(1, -1), 0);
    assert.deepEqual([...losses], [5]);
    assert.deepEqual([...grad], [-10, -16]);
    assertClose(task.loss([tf.tensor2d([[1, -1]])], 0).dataSync(), [5]);
  });

  for (const variant of ['paper', 'deepmind'] as const) {
    it(`closed-form gradient equals autodiff and finite differences (${variant})`, () => {
      const task = new QuadraticFamily({ dims: 10, variant }).sample(new Rng(1), 4);
      const theta = task.init(new Rng(2));
      const closed = task.lossAndGrad(theta, 0);
      const auto = autodiffLossAndGrad(task, theta, 0);
      assertClose(closed.grad, auto.grad, { rtol: 1e-4, atol: 1e-4 });
      assertClose(closed.losses, auto.losses, { rtol: 1e-6 });
      // Finite difference of the objective along coordinate (member 2, dim 3).
      const objective = (values: Float32Array) => tf.tidy(() => {
        const l = task.loss(paramTensors(values, task.paramShapes), 0);
        return (variant === 'paper' ? l.sum() : l.mean()).dataSync()[0];
      });
      const eps = 1e-2;
      const moved = (sign: number) => theta.map((x, j) => (j === 23 ? x + sign * eps : x));
      const fd = (objective(moved(1)) - objective(moved(-1))) / (2 * eps);
      assertClose([closed.grad[23]], [fd], { rtol: 2e-3, atol: 2e-3 });
      task.dispose();
    });
  }

  it('draws the variant distributions and sets the objective scale', () => {
    const paper = new QuadraticFamily({ dims: 10, variant: 'paper' }).sample(new Rng(5), 128);
    const deepmind = new QuadraticFamily({ dims: 10, variant: 'deepmind' }).sample(new Rng(5), 128);
    assert.equal(meanLossScale(paper), 1 / 128);
    assert.equal(meanLossScale(deepmind), 1);
    const std = (values: Float32Array) => Math.sqrt(values.reduce((s, x) => s + x * x, 0) / values.length - (values.reduce((s, x) => s + x, 0) / values.length) ** 2);
    assert.ok(Math.abs(std(paper.init(new Rng(1))) - 1) < 0.1);
    assert.ok(Math.abs(std(deepmind.init(new Rng(1))) - 0.01) < 0.001);
  });

  it('same seed, same task', () => {
    const family = new QuadraticFamily();
    const loss = () => family.sample(new Rng(11), 3).lossAndGrad(family.sample(new Rng(11), 3).init(new Rng(1)), 0).losses;
    assert.deepEqual(loss(), loss());
  });
});
