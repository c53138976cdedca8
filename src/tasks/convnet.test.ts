import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { loadMnist } from '../data/mnist.ts';
import { Rng } from '../random/rng.ts';
import { assertClose, setupBackend } from '../testing/setup.ts';
import { ConvnetFamily, convnetShapes, parseLayers, PAPER_CONVNET_LAYERS, type ConvnetConfig } from './convnet.ts';
import { autodiffLossAndGrad, numCoordinates, paramTensors } from './task.ts';

const small = (layers: string, batchSize = 8): ConvnetConfig => ({ dataset: 'mnist', split: 'test', batchSize, layers: parseLayers(layers) });

describe('convnet task', () => {
  before(setupBackend);

  it('parses the default layers and counts its parameters by hand', () => {
    const { shapes, output } = convnetShapes(parseLayers(PAPER_CONVNET_LAYERS));
    // conv 3·3·1·8 + 8, conv 3·3·8·16 + 16, dense (7·7·16)·32 + 32, dense 32·10 + 10.
    assert.deepEqual(shapes, [[3, 3, 1, 8], [8], [3, 3, 8, 16], [16], [784, 32], [32], [32, 10], [10]]);
    assert.deepEqual(output, [1, 1, 10]);
    const family = new ConvnetFamily(small(PAPER_CONVNET_LAYERS), loadMnist);
    assert.equal(family.sizeOf(2).coordinates, 2 * (80 + 1168 + 25120 + 330));
  });

  it('refuses layer lists it cannot build, naming the part', () => {
    assert.throws(() => parseLayers('conv8x3,relu,dense11'), /the last layer must be dense10/);
    assert.throws(() => parseLayers('conv8,dense10'), /'conv8' is not a layer: use convFxS/);
    assert.throws(() => parseLayers('conv0x3,dense10'), /'conv0x3': 0 is outside 1..256/);
    assert.throws(() => convnetShapes(parseLayers('dense32,conv4x3,dense10')), /a conv layer cannot follow a dense layer/);
  });

  it('starts near chance level: loss ≈ ln 10, and SGD lowers it', () => {
    const task = new ConvnetFamily(small('conv4x3,relu,pool2,dense10', 32), loadMnist).sample(new Rng(1), 2);
    const theta = task.init(new Rng(2));
    const first = task.lossAndGrad(theta, 0);
    for (const l of first.losses) assert.ok(Math.abs(l - Math.log(10)) < 0.5, `loss ${l}`);
    for (let step = 0; step < 30; step++) {
      const { grad } = task.lossAndGrad(theta, step);
      for (let i = 0; i < theta.length; i++) theta[i] -= 0.1 * grad[i];
    }
    const last = task.lossAndGrad(theta, 30);
    for (let k = 0; k < 2; k++) assert.ok(last.losses[k] < first.losses[k] - 0.5, `member ${k}: ${first.losses[k]} → ${last.losses[k]}`);
    task.dispose();
  });

  it('each member\'s gradient is that of its own loss: equal to autodiff of all members at once, and to finite differences', () => {
    const task = new ConvnetFamily(small('conv3x3,tanh,pool2,conv2x2,sigmoid,dense6,tanh,dense10', 4), loadMnist).sample(new Rng(3), 2);
    const theta = task.init(new Rng(4)).map((x) => x * 3);
    assert.equal(theta.length, numCoordinates(task));
    const own = task.lossAndGrad(theta, 5);
    const auto = autodiffLossAndGrad(task, theta, 5);
    assertClose(own.losses, auto.losses, { rtol: 1e-5 });
    assertClose(own.grad, auto.grad, { rtol: 1e-3, atol: 1e-6 });
    const eps = 3e-3;
    // A first-layer filter tap of member 1 (the conv kernel [3, 3, 1, 3] of 2 members: 27 per member).
    const index = 27 + 13;
    const bump = (sign: number) => {
      const moved = theta.slice();
      moved[index] += sign * eps;
      return tf.tidy(() => task.loss(paramTensors(moved, task.paramShapes), 5).sum().dataSync()[0]);
    };
    assertClose([own.grad[index]], [(bump(1) - bump(-1)) / (2 * eps)], { rtol: 2e-2, atol: 2e-4, label: 'finite difference' });
    task.dispose();
  });

  it('draws the same minibatches for the same seed, and leaves no tensors after dispose', () => {
    const before = tf.memory().numTensors;
    const family = new ConvnetFamily(small('conv2x3,relu,pool2,dense10'), loadMnist);
    const a = family.sample(new Rng(7), 1);
    const b = family.sample(new Rng(7), 1);
    const theta = a.init(new Rng(8));
    assert.deepEqual(a.lossAndGrad(theta, 3).grad, b.lossAndGrad(theta, 3).grad);
    const metrics = a.finalMetrics(theta);
    assert.ok(metrics.accuracy[0] >= 0 && metrics.accuracy[0] <= 1 && metrics.fullLoss[0] > 0);
    a.dispose();
    b.dispose();
    assert.equal(tf.memory().numTensors, before);
  });
});
