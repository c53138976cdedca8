/**
 * Train the same tfjs-layers MLP on MNIST twice — with the pretrained learned optimizer and
 * with Adam — from the same initial weights on the same minibatches, and print both final
 * losses and accuracies as one JSON line.
 *
 *   npx tsx examples/layers-mnist.ts [steps=300] [optimizer file=pretrained/mnist.json]
 */
import * as tf from '@tensorflow/tfjs';
import { handDesignedTfOptimizer, initBackend, loadLearnedOptimizer, loadMnist, MNIST_CLASSES, MNIST_PIXELS, mnistImages, pretrainedOptimizerPath } from '../src/index.ts';

const steps = Number(process.argv[2] ?? 300);
const batchSize = 128;
await initBackend();
const train = loadMnist('train');
const test = loadMnist('test');

/** A 784-20-10 sigmoid MLP with weights drawn from a fixed seed. */
function buildModel(optimizer: tf.Optimizer): tf.LayersModel {
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [MNIST_PIXELS], units: 20, activation: 'sigmoid', kernelInitializer: tf.initializers.randomNormal({ stddev: 0.1, seed: 1 }) }),
      tf.layers.dense({ units: MNIST_CLASSES, activation: 'softmax', kernelInitializer: tf.initializers.randomNormal({ stddev: 0.1, seed: 2 }) }),
    ],
  });
  model.compile({ optimizer, loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}

/** The first steps × 128 training images, in order: both models see the same minibatches. */
const count = steps * batchSize;
const x = tf.tensor2d(mnistImages(train, 0, Math.min(count, train.count)), [Math.min(count, train.count), MNIST_PIXELS]);
const y = tf.oneHot(tf.tensor1d(train.labels.subarray(0, Math.min(count, train.count)), 'int32'), MNIST_CLASSES);
const xTest = tf.tensor2d(mnistImages(test, 0, test.count), [test.count, MNIST_PIXELS]);
const yTest = tf.oneHot(tf.tensor1d(test.labels, 'int32'), MNIST_CLASSES);

async function run(optimizer: tf.Optimizer): Promise<{ loss: number; accuracy: number }> {
  const model = buildModel(optimizer);
  const epochs = Math.ceil(count / x.shape[0]);
  await model.fit(x, y, { batchSize, epochs, shuffle: false, verbose: 0 });
  const [loss, accuracy] = (model.evaluate(xTest, yTest, { batchSize: 1000 }) as tf.Scalar[]).map((t) => t.dataSync()[0]);
  return { loss, accuracy };
}

const file = process.argv[3] ?? pretrainedOptimizerPath('mnist');
const learned = await run(await loadLearnedOptimizer(file));
const adam = await run(handDesignedTfOptimizer('adam', 0.03));
console.log(JSON.stringify({ steps, learned, adam }));
