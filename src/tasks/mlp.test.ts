import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { loadMnist } from '../data/mnist.ts';
import { MNIST_PIXELS, mnistImages } from '../data/mnistSplit.ts';
import { tryLoadAddon } from '../engine/native/addon.ts';
import { nativeEngine } from '../engine/native/nativeEngine.ts';
import { Rng } from '../random/rng.ts';
import { NATIVE_SKIP } from '../testing/engines.ts';
import { assertClose, setupBackend } from '../testing/setup.ts';
import { ACTIVATIONS, MlpFamily, PAPER_MLP } from './mlp.ts';
import { autodiffLossAndGrad, paramTensors } from './task.ts';

describe('MNIST MLP task', () => {
  before(setupBackend);

  it('starts at chance level: loss ≈ ln 10 with N(0, 0.01²) weights', () => {
    const task = new MlpFamily(PAPER_MLP, loadMnist).sample(new Rng(1), 2);
    const { losses } = task.lossAndGrad(task.init(new Rng(2)), 0);
    for (const l of losses) assert.ok(Math.abs(l - Math.log(10)) < 0.01, `loss ${l}`);
  });

  for (const activation of ACTIVATIONS) {
    it(`the gradient by back-propagation equals autodiff and finite differences (${activation}, 2 hidden layers)`, () => {
      const family = new MlpFamily({ ...PAPER_MLP, hidden: [5, 4], activation, init: 'glorot', batchSize: 16 }, loadMnist);
      const task = family.sample(new Rng(3), 2);
      const theta = task.init(new Rng(4));
      const closed = task.lossAndGrad(theta, 7);
      const auto = autodiffLossAndGrad(task, theta, 7);
      assertClose(closed.losses, auto.losses, { rtol: 1e-5 });
      assertClose(closed.grad, auto.grad, { rtol: 1e-3, atol: 1e-5 });
      // Central difference on one weight of the first layer of member 1 (objective: sum of member losses).
      const eps = 1e-2;
      const index = 784 * 5 + 300 * 5 + 2;
      const bump = (sign: number) => {
        const moved = theta.slice();
        moved[index] += sign * eps;
        return tf.tidy(() => task.loss(paramTensors(moved, task.paramShapes), 7).sum().dataSync()[0]);
      };
      const fd = (bump(1) - bump(-1)) / (2 * eps);
      assertClose([closed.grad[index]], [fd], { rtol: 2e-2, atol: 2e-4, label: 'finite difference' });
    });
  }

  // The native kernel's widths: unrolled for 20, 40 and 80 units, a generic loop otherwise.
  const kernelCases = [
    ['sigmoid', [20]],
    ['relu', [5, 4]],
    ['tanh', [40]],
    ['elu', [80]],
  ] as const;
  for (const [activation, hidden] of kernelCases) {
    it(`loss and gradient by the native MLP kernel equal the TensorFlow.js ones (${activation}, hidden ${hidden.join('-')})`, { skip: NATIVE_SKIP }, () => {
      const config = { ...PAPER_MLP, hidden: [...hidden], activation };
      const kernel = nativeEngine(tryLoadAddon().addon!, 1).mlp;
      const onTfjs = new MlpFamily(config, loadMnist).sample(new Rng(1), 3);
      const onKernel = new MlpFamily(config, loadMnist, kernel).sample(new Rng(1), 3);
      // Weights large enough that activations and predictions are far from their starting values.
      const theta = onTfjs.init(new Rng(2)).map((x) => x * 30);
      const expected = onTfjs.lossAndGrad(theta, 5);
      const actual = onKernel.lossAndGrad(theta, 5);
      assertClose(actual.losses, expected.losses, { rtol: 1e-6, label: 'losses' });
      let scale = 0;
      for (const x of expected.grad) scale = Math.max(scale, Math.abs(x));
      assertClose(actual.grad, expected.grad, { rtol: 1e-5, atol: 1e-6 * scale, label: 'gradient' });
    });
  }

  it('draws the same minibatches for the same seed and step, different ones otherwise', () => {
    const family = new MlpFamily(PAPER_MLP, loadMnist);
    const theta = family.sample(new Rng(0), 1).init(new Rng(0));
    const a = family.sample(new Rng(5), 1).lossAndGrad(theta, 3).losses[0];
    assert.equal(family.sample(new Rng(5), 1).lossAndGrad(theta, 3).losses[0], a);
    assert.notEqual(family.sample(new Rng(5), 1).lossAndGrad(theta, 4).losses[0], a);
  });

  it('reports full-set loss and accuracy of the final parameters', () => {
    const task = new MlpFamily({ ...PAPER_MLP, split: 'test' }, loadMnist).sample(new Rng(1), 2);
    const metrics = task.finalMetrics(task.init(new Rng(2)));
    for (const l of metrics.fullLoss) assert.ok(Math.abs(l - Math.log(10)) < 0.01);
    // Untrained networks predict one class for nearly every image: accuracy near a class frequency.
    for (const a of metrics.accuracy) assert.ok(a > 0.05 && a < 0.2, `accuracy ${a}`);
  });

  it('full-set metrics of several members equal those of all members at once by broadcast matMuls', () => {
    const data = loadMnist('test');
    const task = new MlpFamily({ ...PAPER_MLP, split: 'test' }, () => data).sample(new Rng(1), 3);
    // Weights large enough that the members differ in what they predict.
    const theta = task.init(new Rng(2)).map((x) => x * 30);
    const metrics = task.finalMetrics(theta);
    const expected = tf.tidy(() => {
      const params = paramTensors(theta, task.paramShapes);
      const x = tf.tensor3d(mnistImages(data, 0, data.count), [1, data.count, MNIST_PIXELS]);
      const labels = tf.tensor1d(data.labels, 'int32');
      const logits = tf.matMul(x, params[0]).add(params[1]).sigmoid().matMul(params[2]).add(params[3]);
      const y = tf.oneHot(labels, 10).expandDims(0);
      return {
        fullLoss: logits.logSoftmax().mul(y).sum(2).mean(1).neg().dataSync(),
        accuracy: logits.argMax(2).equal(labels.expandDims(0)).cast('float32').mean(1).dataSync(),
      };
    });
    assertClose(metrics.fullLoss, expected.fullLoss, { rtol: 1e-4 });
    assertClose(metrics.accuracy, expected.accuracy, { atol: 1e-4 });
    assert.ok(new Set(Array.from(metrics.accuracy)).size > 1, `members differ: ${metrics.accuracy}`);
  });
});
