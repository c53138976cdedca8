import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { loadMnist } from '../data/mnist.ts';
import { initMetaParams, PAPER_LSTM, type LstmConfig } from '../learned/lstmConfig.ts';
import { lstmOptimizer } from '../learned/lstmOptimizer.ts';
import { adam } from '../optimizers/adam.ts';
import type { Optimizer } from '../optimizers/optimizer.ts';
import { sgd } from '../optimizers/sgd.ts';
import { Rng } from '../random/rng.ts';
import { MlpFamily, PAPER_MLP } from '../tasks/mlp.ts';
import { QuadraticFamily, QuadraticTask } from '../tasks/quadratic.ts';
import type { TaskFamily } from '../tasks/task.ts';
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

  const families: Array<[string, TaskFamily]> = [
    ['quadratics', new QuadraticFamily()],
    ['MNIST MLPs', new MlpFamily({ ...PAPER_MLP, split: 'test' }, loadMnist)],
  ];
  const withBase: LstmConfig = { ...PAPER_LSTM, outputScale: 0.05, base: { optimizer: 'rmsprop', learningRate: 0.005 } };
  const optimizers: Array<[string, () => Optimizer]> = [
    ['LSTM', () => lstmOptimizer(PAPER_LSTM, initMetaParams(PAPER_LSTM, new Rng(4)))],
    ['LSTM with an RMSprop base step', () => lstmOptimizer(withBase, initMetaParams(withBase, new Rng(4)))],
    ['Adam', () => adam(0.03)],
  ];
  for (const [familyName, family] of families) {
    for (const [optimizerName, makeOptimizer] of optimizers) {
      it(`on plain arrays (flatLossAndGrad, arrayStepper) gives the tensor path's losses and final metrics (${optimizerName}, ${familyName})`, (t) => {
        const task = family.sample(new Rng(3), 4);
        const optimizer = makeOptimizer();
        if (!task.flatLossAndGrad || !optimizer.arrayStepper) return t.skip('no native kernels: runs are on tensors only');
        const theta0 = task.init(new Rng(5));
        const before = tf.memory().numTensors;
        const arrays = unroll(task, optimizer, theta0, 30);
        assert.equal(tf.memory().numTensors, before, 'the array path leaves no tensors behind');
        const tensors = unroll(task, { ...optimizer, arrayStepper: undefined }, theta0, 30);
        // Up to rounding: the two paths evaluate the task and the optimizer in different implementations.
        arrays.losses.forEach((l, step) => assertClose(l, tensors.losses[step], { rtol: 1e-4, atol: 1e-6, label: `step ${step}` }));
        assert.ok(arrays.losses[30][0] < 0.9 * arrays.losses[0][0], 'the optimizer made progress (the comparison is not of constant curves)');
        for (const key of Object.keys(tensors.final ?? {})) assertClose(arrays.final![key], tensors.final![key], { rtol: 1e-4, label: key });
        assert.deepEqual(Object.keys(arrays.final ?? {}), Object.keys(tensors.final ?? {}));
        tf.dispose(theta0);
        task.dispose?.();
      });
    }
  }
});
