/**
 * The TensorFlow.js examples' addition RNN (a SimpleRNN encoder, RepeatVector, a SimpleRNN
 * decoder and a time-distributed softmax reading "123+45" and writing "168") trained twice with
 * `model.fit` — with a learned optimizer and with `tf.train.adam(0.001)` — from the same initial
 * weights on the same minibatches; prints one JSON line with both final training losses (mean of
 * the last 20 minibatches), held-out losses and per-character accuracies.
 *
 *   npx tsx examples/layers-rnn.ts [steps=300] [optimizer file=pretrained/general.json] [cell=SimpleRNN|GRU|LSTM]
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend, loadLearnedOptimizer, pretrainedOptimizerPath, Rng } from '../src/index.ts';

const steps = Number(process.argv[2] ?? 300);
const file = process.argv[3] ?? pretrainedOptimizerPath('general');
const cell = process.argv[4] ?? 'SimpleRNN';
if (!['SimpleRNN', 'GRU', 'LSTM'].includes(cell)) throw new Error(`unknown cell '${cell}': use SimpleRNN, GRU or LSTM`);
const digits = 3;
const batchSize = 128;
const hidden = 128;
await initBackend();

const CHARS = '0123456789+ ';
const inputLength = 2 * digits + 1;
const outputLength = digits + 1;

/** One-hot encodings of `count` random sums a + b (a, b < 10^digits), from `seed`. */
function additions(count: number, seed: number): { x: tf.Tensor3D; y: tf.Tensor3D } {
  const rng = new Rng(seed);
  const x = new Float32Array(count * inputLength * CHARS.length);
  const y = new Float32Array(count * outputLength * CHARS.length);
  for (let i = 0; i < count; i++) {
    const a = rng.int(10 ** digits);
    const b = rng.int(10 ** digits);
    const question = `${a}+${b}`.padEnd(inputLength, ' ');
    const answer = String(a + b).padEnd(outputLength, ' ');
    [...question].forEach((c, t) => (x[(i * inputLength + t) * CHARS.length + CHARS.indexOf(c)] = 1));
    [...answer].forEach((c, t) => (y[(i * outputLength + t) * CHARS.length + CHARS.indexOf(c)] = 1));
  }
  return { x: tf.tensor3d(x, [count, inputLength, CHARS.length]), y: tf.tensor3d(y, [count, outputLength, CHARS.length]) };
}

/** The model, its weights drawn from fixed seeds. */
function buildModel(optimizer: tf.Optimizer): tf.LayersModel {
  const kernel = (seed: number) => tf.initializers.glorotUniform({ seed });
  const recurrent = (seed: number) => tf.initializers.glorotUniform({ seed });
  const rnn = cell === 'GRU' ? tf.layers.gru : cell === 'LSTM' ? tf.layers.lstm : tf.layers.simpleRNN;
  const model = tf.sequential({
    layers: [
      rnn({ units: hidden, inputShape: [inputLength, CHARS.length], kernelInitializer: kernel(1), recurrentInitializer: recurrent(2) }),
      tf.layers.repeatVector({ n: outputLength }),
      rnn({ units: hidden, returnSequences: true, kernelInitializer: kernel(3), recurrentInitializer: recurrent(4) }),
      tf.layers.timeDistributed({ layer: tf.layers.dense({ units: CHARS.length, kernelInitializer: kernel(5) }) }),
      tf.layers.activation({ activation: 'softmax' }),
    ],
  });
  model.compile({ optimizer, loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}

const train = additions(steps * batchSize, 1);
const test = additions(2000, 2);

async function run(optimizer: tf.Optimizer) {
  const model = buildModel(optimizer);
  const losses: number[] = [];
  const started = performance.now();
  await model.fit(train.x, train.y, { batchSize, epochs: 1, shuffle: false, verbose: 0, callbacks: { onBatchEnd: async (_b, logs) => void losses.push(logs!.loss as number) } });
  const seconds = (performance.now() - started) / 1000;
  const [testLoss, accuracy] = (model.evaluate(test.x, test.y, { batchSize: 500 }) as tf.Scalar[]).map((t) => t.dataSync()[0]);
  const last = losses.slice(-20);
  return { trainLoss: last.reduce((a, b) => a + b, 0) / last.length, testLoss, accuracy, diverged: losses.some((l) => !Number.isFinite(l)), seconds: Number(seconds.toFixed(1)) };
}

const learned = await run(await loadLearnedOptimizer(file));
const adam = await run(tf.train.adam(0.001));
console.log(JSON.stringify({ example: 'rnn', cell, steps, optimizer: file.split('/').pop(), learned, adam, ratio: Number((learned.trainLoss / adam.trainLoss).toFixed(3)) }));
