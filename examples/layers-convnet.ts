/**
 * A convnet of the TensorFlow.js examples' MNIST kind (conv 8@5×5, max-pool, conv 16@5×5,
 * max-pool, dense softmax) trained twice with `model.fit` on the default wasm backend — with a
 * learned optimizer and with `tf.train.adam(0.001)`, the rate such examples use — from the same
 * initial weights on the same minibatches; prints one JSON line with both final training losses
 * (mean of the last 20 minibatches), test losses and accuracies.
 *
 *   npx tsx examples/layers-convnet.ts [steps=300] [optimizer file=pretrained/general.json] [dataset=mnist]
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend, loadDataset, loadLearnedOptimizer, MNIST_CLASSES, mnistImages, parseDataset, pretrainedOptimizerPath } from '../src/index.ts';

const steps = Number(process.argv[2] ?? 300);
const file = process.argv[3] ?? pretrainedOptimizerPath('general');
const dataset = parseDataset(process.argv[4] ?? 'mnist');
const batchSize = 128;
await initBackend();
const train = loadDataset(dataset, 'train');
const test = loadDataset(dataset, 'test');

/** The model, its weights drawn from fixed seeds. */
function buildModel(optimizer: tf.Optimizer): tf.LayersModel {
  const init = (seed: number) => tf.initializers.varianceScaling({ scale: 1, mode: 'fanAvg', distribution: 'uniform', seed });
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [28, 28, 1], kernelSize: 5, filters: 8, activation: 'relu', kernelInitializer: init(1) }),
      tf.layers.maxPooling2d({ poolSize: 2, strides: 2 }),
      tf.layers.conv2d({ kernelSize: 5, filters: 16, activation: 'relu', kernelInitializer: init(2) }),
      tf.layers.maxPooling2d({ poolSize: 2, strides: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: MNIST_CLASSES, activation: 'softmax', kernelInitializer: init(3) }),
    ],
  });
  model.compile({ optimizer, loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}

const count = Math.min(steps * batchSize, train.count);
const x = tf.tensor4d(mnistImages(train, 0, count), [count, 28, 28, 1]);
const y = tf.oneHot(tf.tensor1d(train.labels.subarray(0, count), 'int32'), MNIST_CLASSES);
const xTest = tf.tensor4d(mnistImages(test, 0, 2000), [2000, 28, 28, 1]);
const yTest = tf.oneHot(tf.tensor1d(test.labels.subarray(0, 2000), 'int32'), MNIST_CLASSES);

async function run(optimizer: tf.Optimizer) {
  const model = buildModel(optimizer);
  const losses: number[] = [];
  const epochs = Math.ceil((steps * batchSize) / count);
  const started = performance.now();
  await model.fit(x, y, { batchSize, epochs, shuffle: false, verbose: 0, callbacks: { onBatchEnd: async (_b, logs) => void losses.push(logs!.loss as number) } });
  const seconds = (performance.now() - started) / 1000;
  const [testLoss, accuracy] = (model.evaluate(xTest, yTest, { batchSize: 500 }) as tf.Scalar[]).map((t) => t.dataSync()[0]);
  const last = losses.slice(-20);
  return { trainLoss: last.reduce((a, b) => a + b, 0) / last.length, testLoss, accuracy, diverged: losses.some((l) => !Number.isFinite(l)), seconds: Number(seconds.toFixed(1)) };
}

const learned = await run(await loadLearnedOptimizer(file));
const adam = await run(tf.train.adam(0.001));
console.log(JSON.stringify({ example: 'convnet', dataset, steps, optimizer: file.split('/').pop(), learned, adam, ratio: Number((learned.trainLoss / adam.trainLoss).toFixed(3)) }));
