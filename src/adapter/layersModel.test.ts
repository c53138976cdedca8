import assert from 'node:assert/strict';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { loadMnist, MNIST_CLASSES, MNIST_PIXELS, mnistImages } from '../data/mnist.ts';
import { setupBackend } from '../testing/setup.ts';
import { loadLearnedOptimizer as loadOnTfjs } from './tfOptimizer.ts';
import { L2LOptimizer, loadLearnedOptimizer } from './nodeAdapter.ts';

const pretrained = path.resolve(import.meta.dirname, '../../pretrained/mnist.json');

function model(optimizer: tf.Optimizer): tf.LayersModel {
  const m = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [MNIST_PIXELS], units: 20, activation: 'sigmoid', kernelInitializer: tf.initializers.randomNormal({ stddev: 0.1, seed: 1 }) }),
      tf.layers.dense({ units: MNIST_CLASSES, activation: 'softmax', kernelInitializer: tf.initializers.randomNormal({ stddev: 0.1, seed: 2 }) }),
    ],
  });
  m.compile({ optimizer, loss: 'categoricalCrossentropy' });
  return m;
}

/** The first `batches` minibatches of 128 MNIST training images, one-hot labels. */
function trainingImages(batches: number): { x: tf.Tensor2D; y: tf.Tensor2D } {
  const data = loadMnist('train');
  const n = 128 * batches;
  return { x: tf.tensor2d(mnistImages(data, 0, n), [n, MNIST_PIXELS]), y: tf.oneHot(tf.tensor1d(data.labels.subarray(0, n), 'int32'), MNIST_CLASSES) as tf.Tensor2D };
}

/** The model's loss on (x, y) before and after `epochs` of fit with `optimizer`. */
async function fitLoss(optimizer: tf.Optimizer, x: tf.Tensor2D, y: tf.Tensor2D, epochs: number) {
  const net = model(optimizer);
  const loss = () => (net.evaluate(x, y) as tf.Scalar).dataSync()[0];
  const before = loss();
  const history = await net.fit(x, y, { batchSize: 128, epochs, shuffle: false, verbose: 0 });
  return { net, before, after: loss(), history };
}

describe('the pretrained learned optimizer on a tfjs-layers model', () => {
  before(setupBackend);

  it('fit for 300 steps on MNIST lowers the loss, and the model saved with its optimizer and reloaded takes identical steps', async () => {
    const { x, y } = trainingImages(50);
    const optimizer = await loadLearnedOptimizer(pretrained);
    const { net, before, after, history } = await fitLoss(optimizer, x, y, 6);
    assert.equal(optimizer.iterations, 300);
    assert.ok(after < 0.5 * before, `loss ${before} → ${after}`);
    assert.ok((history.history.loss as number[]).every(Number.isFinite));

    // Save the model with its optimizer, load it back, and compare one more step on both copies.
    let artifacts: tf.io.ModelArtifacts | undefined;
    await net.save(
      tf.io.withSaveHandler(async (a) => {
        artifacts = a;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
      { includeOptimizer: true },
    );
    const copy = await tf.loadLayersModel(tf.io.fromMemory(artifacts!));
    assert.ok(copy.optimizer instanceof L2LOptimizer, 'the optimizer is rebuilt from the saved model');
    assert.equal(copy.optimizer.iterations, 300);
    const xb = x.slice([0, 0], [128, MNIST_PIXELS]);
    const yb = y.slice([0, 0], [128, MNIST_CLASSES]);
    await net.trainOnBatch(xb, yb);
    await copy.trainOnBatch(xb, yb);
    const a = net.getWeights().map((w) => Array.from(w.dataSync()));
    const b = copy.getWeights().map((w) => Array.from(w.dataSync()));
    assert.deepEqual(b, a);
  });

  it("on the TensorFlow.js engine (the browser's) too: fit keeps the optimizer's tensors across tfjs-layers' scopes and lowers the loss", async () => {
    const { x, y } = trainingImages(10);
    const optimizer = await loadOnTfjs(pretrained);
    const { before, after } = await fitLoss(optimizer, x, y, 2);
    assert.equal(optimizer.iterations, 20);
    assert.ok(after < 0.8 * before, `loss ${before} → ${after}`);
    optimizer.dispose();
    tf.dispose([x, y]);
  });
});
