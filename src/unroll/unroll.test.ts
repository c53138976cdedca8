import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { loadMnist } from '../data/mnist.ts';
import type { Engine } from '../engine/engine.ts';
import { learnedOptimizer } from '../learned/learnedOptimizer.ts';
import { initMetaParams, PAPER_LSTM, type LstmConfig } from '../learned/lstmConfig.ts';
import { sgd } from '../optimizers/sgd.ts';
import { Rng } from '../random/rng.ts';
import { MlpFamily, PAPER_MLP } from '../tasks/mlp.ts';
import { QuadraticFamily, QuadraticTask } from '../tasks/quadratic.ts';
import type { TaskFamily } from '../tasks/task.ts';
import { engineCases, makeTestEngine } from '../testing/engines.ts';
import { assertClose, setupBackend } from '../testing/setup.ts';
import { unroll, Unroller } from './unroll.ts';

describe('unroll', () => {
  before(setupBackend);

  // (wθ − y)² with w = 2, y = 1, θ0 = 0, SGD lr 0.1: ∇ = 2w(wθ − y).
  // θ: 0 → 0.4 → 0.48; loss: 1 → (0.8 − 1)² = 0.04 → (0.96 − 1)² = 0.0016.
  const task = () => new QuadraticTask({ dims: 1, variant: 'paper' }, Float32Array.of(2), Float32Array.of(1), 1);

  it('records the loss after each update, worked out by hand, and leaves θ0 as it was', () => {
    const theta0 = Float32Array.of(0);
    const { losses } = unroll(task(), sgd(0.1), theta0, 2);
    assertClose(losses.map((l) => l[0]), [1, 0.04, 0.0016], { atol: 1e-6 });
    assert.deepEqual(Array.from(theta0), [0]);
  });

  it('the step-at-a-time Unroller gives the same numbers', () => {
    const unroller = new Unroller(task(), sgd(0.1), Float32Array.of(0));
    const losses = [unroller.advance(), unroller.advance(), unroller.advance(false)].map((l) => l[0]);
    assert.equal(unroller.t, 2);
    assertClose(Array.from(unroller.theta), [0.48], { atol: 1e-6 });
    unroller.dispose();
    assertClose(losses, [1, 0.04, 0.0016], { atol: 1e-6 });
  });
});

const withBase: LstmConfig = { ...PAPER_LSTM, outputScale: 0.05, base: { optimizer: 'rmsprop', learningRate: 0.005 } };

for (const { name, skip } of engineCases(['tfjs', 'native'])) {
  describe(`a learned optimizer's unroll (${name} engine)`, { skip }, () => {
    let engine: Engine;
    let reference: Engine;
    before(async () => {
      await setupBackend();
      engine = makeTestEngine(name);
      reference = makeTestEngine('tfjs');
    });
    after(() => Promise.all([engine.close(), reference.close()]));

    /** The family, its networks' loss computed on `e`. */
    const familyOn = (familyName: string, e: Engine): TaskFamily =>
      familyName === 'quadratics' ? new QuadraticFamily() : new MlpFamily({ ...PAPER_MLP, split: 'test' }, loadMnist, e.mlp);
    for (const familyName of ['quadratics', 'MNIST MLPs']) {
      for (const [label, config] of [['LSTM', PAPER_LSTM], ['LSTM with an RMSprop base step', withBase]] as const) {
        it(`gives the TensorFlow.js engine's losses and final metrics, and leaves no tensors (${label}, ${familyName})`, () => {
          const run = (e: Engine) => {
            const task = familyOn(familyName, e).sample(new Rng(3), 4);
            const phi = initMetaParams(PAPER_LSTM, new Rng(4));
            const result = unroll(task, learnedOptimizer(config, phi, e), task.init(new Rng(5)), 30);
            task.dispose?.();
            return result;
          };
          const tensors = tf.memory().numTensors;
          const mine = run(engine);
          assert.equal(tf.memory().numTensors, tensors, 'every tensor the unroll made is freed');
          const theirs = run(reference);
          // Up to rounding: the engines compute the LSTM (and the MNIST networks) in different implementations.
          mine.losses.forEach((l, step) => assertClose(l, theirs.losses[step], { rtol: 1e-4, atol: 1e-6, label: `step ${step}` }));
          assert.ok(mine.losses[30][0] < 0.9 * mine.losses[0][0], 'the optimizer made progress (the comparison is not of constant curves)');
          assert.deepEqual(Object.keys(mine.final ?? {}), Object.keys(theirs.final ?? {}));
          for (const key of Object.keys(theirs.final ?? {})) assertClose(mine.final![key], theirs.final![key], { rtol: 1e-4, label: key });
        });
      }
    }
  });
}
