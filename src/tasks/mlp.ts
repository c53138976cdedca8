/**
 * MNIST multilayer perceptrons (paper §3.2): softmax cross-entropy on minibatches of 128, with
 * the architecture configured, not coded — hidden sizes (`[20]`, `[40]`, `[20, 20]`) and the
 * activation — so the paper's generalization variants are configurations of one family.
 *
 * A task holds `members` independent networks evaluated together with batched matMuls; each
 * member draws its own minibatches from the task's seed, so every optimizer run on the task sees
 * the same minibatch sequence. Parameters per layer: W [members, in, out], b [members, 1, out].
 */
import * as tf from '@tensorflow/tfjs';
import { MNIST_CLASSES, MNIST_PIXELS, mnistImages, type MnistSource, type MnistSplit, type MnistSplitName } from '../data/mnistSplit.ts';
import { Rng } from '../random/rng.ts';
import type { LossAndGrad, Task, TaskFamily } from './task.ts';

/** Activation functions of the hidden layers. */
export const ACTIVATIONS = ['sigmoid', 'relu', 'tanh', 'elu'] as const;
/** One of `ACTIVATIONS`. */
export type Activation = (typeof ACTIVATIONS)[number];

/** How weights and biases are initialized. */
export type MlpInit = 'normal' | 'glorot';

/** Configuration of the MLP family. */
export interface MlpConfig {
  hidden: number[];
  activation: Activation;
  batchSize: number;
  /** 'normal': weights and biases N(0, initStd²) (deepmind/learning-to-learn); 'glorot': Glorot-uniform weights, zero biases. */
  init: MlpInit;
  initStd: number;
  /** Which MNIST images the networks train on. */
  split: MnistSplitName;
}

/** The paper's network: one hidden layer of 20 sigmoid units, minibatch 128, N(0, 0.01²) init. */
export const PAPER_MLP: MlpConfig = { hidden: [20], activation: 'sigmoid', batchSize: 128, init: 'normal', initStd: 0.01, split: 'train' };

/** The activation as a tf function. */
function activate(x: tf.Tensor, activation: Activation): tf.Tensor {
  switch (activation) {
    case 'sigmoid':
      return x.sigmoid();
    case 'relu':
      return x.relu();
    case 'tanh':
      return x.tanh();
    case 'elu':
      return x.elu();
  }
}

/** The activation's derivative, written in terms of its output a = act(z). */
function activationDerivative(a: tf.Tensor, activation: Activation): tf.Tensor {
  switch (activation) {
    case 'sigmoid':
      return a.mul(tf.scalar(1).sub(a));
    case 'relu':
      return a.greater(0).cast('float32');
    case 'tanh':
      return tf.scalar(1).sub(a.square());
    case 'elu':
      // elu(z) = z for z > 0, e^z − 1 otherwise: the derivative is 1, or a + 1.
      return tf.where(a.greater(0), tf.onesLike(a), a.add(1));
  }
}

/** Layer sizes from input to output: [784, ...hidden, 10]. */
export function layerSizes(config: MlpConfig): number[] {
  return [MNIST_PIXELS, ...config.hidden, MNIST_CLASSES];
}

/** A batch of `members` MLPs on MNIST with seeded minibatches. */
export class MlpTask implements Task {
  readonly objective = 'sum' as const;
  readonly paramShapes: number[][];
  private batch: { step: number; x: tf.Tensor3D; y: tf.Tensor3D } | undefined;

  /** Networks for `config`, minibatches drawn from `rng`. */
  constructor(
    readonly config: MlpConfig,
    readonly members: number,
    private readonly data: MnistSplit,
    private readonly rng: Rng,
  ) {
    const sizes = layerSizes(config);
    this.paramShapes = sizes.slice(1).flatMap((out, l) => [
      [members, sizes[l], out],
      [members, 1, out],
    ]);
  }

  /** Draws weights and biases for every member. */
  init(rng: Rng): tf.Tensor[] {
    return this.paramShapes.map((shape, k) => {
      const size = shape.reduce((a, b) => a * b, 1);
      const r = rng.child(`param${k}`);
      if (this.config.init === 'normal') return tf.tensor(r.normalArray(size, this.config.initStd), shape);
      if (k % 2 === 1) return tf.zeros(shape);
      const limit = Math.sqrt(6 / (shape[1] + shape[2]));
      return tf.tensor(r.uniformArray(size, -limit, limit), shape);
    });
  }

  /** Mean softmax cross-entropy of each member on its minibatch for `step`. */
  loss(params: tf.Tensor[], step: number): tf.Tensor1D {
    const { x, y } = this.minibatch(step);
    return tf.tidy(() => crossEntropy(this.logits(params, x), y));
  }

  /**
   * Loss and gradient by explicit back-propagation (equal to autodiff of `loss`, tested), with
   * transposes made explicit: transposed matMuls are slow on the wasm backend.
   */
  lossAndGrad(params: tf.Tensor[], step: number): LossAndGrad {
    const { x, y } = this.minibatch(step);
    return tf.tidy(() => {
      const layers = params.length / 2;
      const inputs: tf.Tensor3D[] = [x];
      const outputs: tf.Tensor3D[] = [];
      let a: tf.Tensor3D = x;
      for (let l = 0; l < layers; l++) {
        const z = tf.matMul(a, params[2 * l] as tf.Tensor3D).add(params[2 * l + 1]) as tf.Tensor3D;
        a = (l < layers - 1 ? activate(z, this.config.activation) : z) as tf.Tensor3D;
        outputs.push(a);
        if (l < layers - 1) inputs.push(a);
      }
      const logSoftmax = a.logSoftmax();
      const losses = logSoftmax.mul(y).sum(2).mean(1).neg() as tf.Tensor1D;
      // Each member's gradient is that of its own mean cross-entropy: (softmax − y) / batch.
      let dz = logSoftmax.exp().sub(y).div(this.config.batchSize) as tf.Tensor3D;
      const grads: tf.Tensor[] = new Array(params.length);
      const ones = tf.ones([this.members, 1, this.config.batchSize]) as tf.Tensor3D;
      for (let l = layers - 1; l >= 0; l--) {
        grads[2 * l] = tf.matMul(inputs[l].transpose([0, 2, 1]), dz);
        grads[2 * l + 1] = tf.matMul(ones, dz);
        if (l > 0) {
          const da = tf.matMul(dz, params[2 * l].transpose([0, 2, 1]) as tf.Tensor3D);
          dz = da.mul(activationDerivative(outputs[l - 1], this.config.activation)) as tf.Tensor3D;
        }
      }
      return { losses, grads };
    });
  }

  /** Loss and accuracy of each member on every image of the split (the test set in evaluation). */
  finalMetrics(params: tf.Tensor[]): Record<string, Float32Array> {
    const loss = new Float64Array(this.members);
    const correct = new Float64Array(this.members);
    const chunk = 1000;
    for (let start = 0; start < this.data.count; start += chunk) {
      const n = Math.min(chunk, this.data.count - start);
      const [l, c] = tf.tidy(() => {
        const x = tf.tensor2d(mnistImages(this.data, start, n), [n, MNIST_PIXELS]);
        const labels = tf.tensor1d(this.data.labels.subarray(start, start + n), 'int32');
        // Batch dimensions broadcast: one copy of the images serves every member.
        const logits = this.logits(params, x.expandDims(0) as tf.Tensor3D);
        const y = tf.oneHot(labels, MNIST_CLASSES).expandDims(0) as tf.Tensor3D;
        const lossSum = logits.logSoftmax().mul(y).sum(2).sum(1).neg();
        const hits = logits.argMax(2).equal(labels.expandDims(0)).cast('float32').sum(1);
        return [lossSum.dataSync().slice(), hits.dataSync().slice()];
      });
      for (let j = 0; j < this.members; j++) {
        loss[j] += l[j];
        correct[j] += c[j];
      }
    }
    return { fullLoss: Float32Array.from(loss, (v) => v / this.data.count), accuracy: Float32Array.from(correct, (v) => v / this.data.count) };
  }

  /** Frees the cached minibatch. */
  dispose(): void {
    if (this.batch) tf.dispose([this.batch.x, this.batch.y]);
    this.batch = undefined;
  }

  private logits(params: tf.Tensor[], x: tf.Tensor3D): tf.Tensor3D {
    let a: tf.Tensor3D = x;
    const layers = params.length / 2;
    for (let l = 0; l < layers; l++) {
      const z = tf.matMul(a, params[2 * l] as tf.Tensor3D).add(params[2 * l + 1]) as tf.Tensor3D;
      a = (l < layers - 1 ? activate(z, this.config.activation) : z) as tf.Tensor3D;
    }
    return a;
  }

  /** The minibatch of every member for `step` (drawn with replacement, seeded by the task). */
  private minibatch(step: number): { x: tf.Tensor3D; y: tf.Tensor3D } {
    if (this.batch?.step === step) return this.batch;
    this.dispose();
    const b = this.config.batchSize;
    const xs = new Float32Array(this.members * b * MNIST_PIXELS);
    const ys = new Float32Array(this.members * b * MNIST_CLASSES);
    const r = this.rng.child(`step${step}`);
    for (let k = 0; k < this.members * b; k++) {
      const index = r.int(this.data.count);
      mnistImages(this.data, index, 1, xs.subarray(k * MNIST_PIXELS, (k + 1) * MNIST_PIXELS));
      ys[k * MNIST_CLASSES + this.data.labels[index]] = 1;
    }
    this.batch = {
      step,
      x: tf.keep(tf.tensor3d(xs, [this.members, b, MNIST_PIXELS])),
      y: tf.keep(tf.tensor3d(ys, [this.members, b, MNIST_CLASSES])),
    };
    return this.batch;
  }
}

/** Mean over the batch of softmax cross-entropy, per member: logits, y are [members, batch, classes]. */
function crossEntropy(logits: tf.Tensor3D, y: tf.Tensor3D): tf.Tensor1D {
  return logits.logSoftmax().mul(y).sum(2).mean(1).neg() as tf.Tensor1D;
}

/** The family of MNIST MLPs of one architecture. */
export class MlpFamily implements TaskFamily {
  readonly name = 'mnist';
  readonly config: Record<string, unknown>;
  /** Networks per batched task when evaluating many runs. */
  readonly evaluationChunk = 25;

  /**
   * A family for `mlp` whose images come from `data` (called on first use): `loadMnist` in
   * Node, a fetched asset in a web page.
   */
  constructor(
    readonly mlp: MlpConfig,
    private readonly data: MnistSource,
  ) {
    this.config = { ...mlp };
  }

  /** Draws `members` networks' minibatch streams (weights come from `init`). */
  sample(rng: Rng, members: number): MlpTask {
    return new MlpTask(this.mlp, members, this.data(this.mlp.split), rng.child('minibatches'));
  }
}
