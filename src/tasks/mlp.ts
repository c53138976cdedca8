/**
 * MNIST multilayer perceptrons (paper §3.2): softmax cross-entropy on minibatches of 128, with
 * the architecture configured, not coded — hidden sizes (`[20]`, `[40]`, `[20, 20]`) and the
 * activation — so the paper's generalization variants are configurations of one family.
 *
 * A task holds `members` independent networks; each member draws its own minibatches from the
 * task's seed, so every optimizer run on the task sees the same minibatch sequence. Parameters
 * per layer: W [members, in, out], b [members, 1, out]. Loss and gradient run one member at a
 * time: on the wasm backend a matMul with a batch of more than one network takes a slow path
 * (about 10× the time of one matMul per network), and so does slicing a tensor along its first
 * axis, so each member's parameters are made from its part of θ. With an engine's MLP kernel
 * (the native engine's, `engine/engine.ts`) the loss and gradient are computed on the arrays
 * themselves, without TensorFlow.js.
 */
import * as tf from '@tensorflow/tfjs';
import { MNIST_CLASSES, MNIST_PIXELS, mnistImages, type MnistSource, type MnistSplit, type MnistSplitName } from '../data/mnistSplit.ts';
import type { DatasetName } from '../data/mnist.ts';
import type { MlpKernel } from '../engine/engine.ts';
import { Rng } from '../random/rng.ts';
import { memberViews, sizeOfShape, type LossAndGrad, type Task, type TaskFamily, type TaskSize } from './task.ts';

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
  /** Which of the dataset's images the networks train on. */
  split: MnistSplitName;
  /** Which images: MNIST when absent, else e.g. 'fashion-mnist' (the family's data source must match). */
  dataset?: DatasetName;
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
  private readonly memberShapes: number[][];
  /** The minibatch of the last step asked for on TensorFlow.js: images [1, batch, 784] and one-hot labels [1, batch, 10] per member. */
  private batch: { step: number; x: tf.Tensor3D[]; y: tf.Tensor3D[] } | undefined;
  private readonly sizes: number[];

  /** Networks for `config`, minibatches drawn from `rng`; loss and gradient by `kernel` if given, else TensorFlow.js. */
  constructor(
    readonly config: MlpConfig,
    readonly members: number,
    private readonly data: MnistSplit,
    private readonly rng: Rng,
    private readonly kernel: MlpKernel | null = null,
  ) {
    this.sizes = layerSizes(config);
    this.paramShapes = this.sizes.slice(1).flatMap((out, l) => [
      [members, this.sizes[l], out],
      [members, 1, out],
    ]);
    this.memberShapes = this.paramShapes.map((shape) => shape.slice(1));
  }

  /** Draws weights and biases for every member. */
  init(rng: Rng): Float32Array {
    const theta = new Float32Array(this.paramShapes.reduce((n, shape) => n + sizeOfShape(shape), 0));
    let offset = 0;
    this.paramShapes.forEach((shape, k) => {
      const size = sizeOfShape(shape);
      const r = rng.child(`param${k}`);
      if (this.config.init === 'normal') {
        theta.set(r.normalArray(size, this.config.initStd), offset);
      } else if (k % 2 === 0) {
        const limit = Math.sqrt(6 / (shape[1] + shape[2]));
        theta.set(r.uniformArray(size, -limit, limit), offset);
      }
      offset += size;
    });
    return theta;
  }

  /** Mean softmax cross-entropy of each member on its minibatch for `step` (differentiable: all members at once). */
  loss(params: tf.Tensor[], step: number): tf.Tensor1D {
    const { x, y } = this.minibatch(step);
    return tf.tidy(() => crossEntropy(this.logits(params, tf.concat(x)), tf.concat(y)));
  }

  /** Loss and gradient: by the MLP kernel, else by explicit back-propagation on TensorFlow.js (equal to autodiff of `loss`, tested). */
  lossAndGrad(theta: Float32Array, step: number): LossAndGrad {
    return this.kernel ? this.kernelLossAndGrad(this.kernel, theta, step) : this.tensorLossAndGrad(theta, step);
  }

  /** `lossAndGrad` on TensorFlow.js, one member at a time. */
  private tensorLossAndGrad(theta: Float32Array, step: number): LossAndGrad {
    const { x, y } = this.minibatch(step);
    const losses = new Float32Array(this.members);
    const grad = new Float32Array(theta.length);
    for (let k = 0; k < this.members; k++) {
      const params = this.memberTensors(theta, k);
      const r = backprop(this.config, params, x[k], y[k]);
      losses[k] = r.losses.dataSync()[0];
      this.memberViews(grad, k).forEach((view, i) => view.set(r.grads[i].dataSync() as Float32Array));
      tf.dispose([...params, r.losses, ...r.grads]);
    }
    return { losses, grad };
  }

  /** `lossAndGrad` by the MLP kernel, each member's parameters and gradient a view into the arrays. */
  private kernelLossAndGrad(kernel: MlpKernel, theta: Float32Array, step: number): LossAndGrad {
    const grad = new Float32Array(theta.length);
    const losses = new Float32Array(this.members);
    const activation = ACTIVATIONS.indexOf(this.config.activation);
    this.minibatchIndices(step).forEach((indices, k) => {
      losses[k] = kernel.lossAndGrad(this.sizes, activation, this.memberViews(theta, k), this.data, indices, this.memberViews(grad, k));
    });
    return { losses, grad };
  }

  /** Member k's part of every parameter tensor of flat `values` (views: W1, b1, W2, b2, …). */
  private memberViews(values: Float32Array, k: number): Float32Array[] {
    return memberViews(values, this.memberShapes, this.members, k);
  }

  /**
   * Member k's parameters as tensors of their own ([1, …] each; new tensors), made from its part
   * of θ: slicing a tensor along its first axis is slow on the wasm backend.
   */
  private memberTensors(theta: Float32Array, k: number): tf.Tensor[] {
    return this.memberViews(theta, k).map((values, i) => tf.tensor(values, [1, ...this.paramShapes[i].slice(1)]));
  }

  /** Loss and accuracy of each member on every image of the split (the test set in evaluation). */
  finalMetrics(theta: Float32Array): Record<string, Float32Array> {
    const loss = new Float64Array(this.members);
    const correct = new Float64Array(this.members);
    const perMember = Array.from({ length: this.members }, (_, k) => this.memberTensors(theta, k));
    const chunk = 1000;
    for (let start = 0; start < this.data.count; start += chunk) {
      const n = Math.min(chunk, this.data.count - start);
      const [l, c] = tf.tidy(() => {
        const x = tf.tensor3d(mnistImages(this.data, start, n), [1, n, MNIST_PIXELS]);
        const labels = tf.tensor1d(this.data.labels.subarray(start, start + n), 'int32');
        const y = tf.oneHot(labels, MNIST_CLASSES).expandDims(0) as tf.Tensor3D;
        const sums = perMember.map((p) => {
          const logits = this.logits(p, x);
          return [logits.logSoftmax().mul(y).sum().neg(), logits.argMax(2).equal(labels.expandDims(0)).cast('float32').sum()];
        });
        return [tf.stack(sums.map((s) => s[0])).dataSync().slice(), tf.stack(sums.map((s) => s[1])).dataSync().slice()];
      });
      for (let j = 0; j < this.members; j++) {
        loss[j] += l[j];
        correct[j] += c[j];
      }
    }
    tf.dispose(perMember.flat());
    return { fullLoss: Float32Array.from(loss, (v) => v / this.data.count), accuracy: Float32Array.from(correct, (v) => v / this.data.count) };
  }

  /** Frees the cached minibatch. */
  dispose(): void {
    if (this.batch) tf.dispose([...this.batch.x, ...this.batch.y]);
    this.batch = undefined;
  }

  private logits(params: tf.Tensor[], x: tf.Tensor3D): tf.Tensor3D {
    return forward(this.config, params, x).pop()!;
  }

  /** Each member's image numbers for `step` (drawn with replacement, seeded by the task). */
  private minibatchIndices(step: number): Int32Array[] {
    const r = this.rng.child(`step${step}`);
    return Array.from({ length: this.members }, () => Int32Array.from({ length: this.config.batchSize }, () => r.int(this.data.count)));
  }

  /** The minibatch of every member for `step` as tensors. */
  private minibatch(step: number): { x: tf.Tensor3D[]; y: tf.Tensor3D[] } {
    if (this.batch?.step === step) return this.batch;
    this.dispose();
    const b = this.config.batchSize;
    const x: tf.Tensor3D[] = [];
    const y: tf.Tensor3D[] = [];
    for (const indices of this.minibatchIndices(step)) {
      const xs = new Float32Array(b * MNIST_PIXELS);
      const ys = new Float32Array(b * MNIST_CLASSES);
      for (let k = 0; k < b; k++) {
        const index = indices[k];
        mnistImages(this.data, index, 1, xs.subarray(k * MNIST_PIXELS, (k + 1) * MNIST_PIXELS));
        ys[k * MNIST_CLASSES + this.data.labels[index]] = 1;
      }
      x.push(tf.keep(tf.tensor3d(xs, [1, b, MNIST_PIXELS])));
      y.push(tf.keep(tf.tensor3d(ys, [1, b, MNIST_CLASSES])));
    }
    this.batch = { step, x, y };
    return this.batch;
  }
}

/** Every layer's output for input x: hidden activations, then the logits last. */
function forward(config: MlpConfig, params: tf.Tensor[], x: tf.Tensor3D): tf.Tensor3D[] {
  const outputs: tf.Tensor3D[] = [];
  let a: tf.Tensor3D = x;
  const layers = params.length / 2;
  for (let l = 0; l < layers; l++) {
    const z = tf.matMul(a, params[2 * l] as tf.Tensor3D).add(params[2 * l + 1]) as tf.Tensor3D;
    a = (l < layers - 1 ? activate(z, config.activation) : z) as tf.Tensor3D;
    outputs.push(a);
  }
  return outputs;
}

/**
 * Mean cross-entropy of each network of a batch and its gradient by explicit back-propagation,
 * with transposes made explicit (transposed matMuls are slow on the wasm backend).
 */
function backprop(config: MlpConfig, params: tf.Tensor[], x: tf.Tensor3D, y: tf.Tensor3D): { losses: tf.Tensor1D; grads: tf.Tensor[] } {
  return tf.tidy(() => {
    const layers = params.length / 2;
    const outputs = forward(config, params, x);
    const inputs = [x, ...outputs.slice(0, -1)];
    const logSoftmax = outputs[layers - 1].logSoftmax();
    const losses = logSoftmax.mul(y).sum(2).mean(1).neg() as tf.Tensor1D;
    // Each member's gradient is that of its own mean cross-entropy: (softmax − y) / batch.
    let dz = logSoftmax.exp().sub(y).div(config.batchSize) as tf.Tensor3D;
    const grads: tf.Tensor[] = new Array(params.length);
    const ones = tf.ones([x.shape[0], 1, config.batchSize]) as tf.Tensor3D;
    for (let l = layers - 1; l >= 0; l--) {
      // (dzᵀ·a)ᵀ rather than aᵀ·dz: the transposes are of the small dz and result, not of the
      // 128 × 784 images (0.3 ms per step on the wasm backend).
      grads[2 * l] = tf.matMul(dz.transpose([0, 2, 1]), inputs[l]).transpose([0, 2, 1]);
      grads[2 * l + 1] = tf.matMul(ones, dz);
      if (l > 0) {
        const da = tf.matMul(dz, params[2 * l].transpose([0, 2, 1]) as tf.Tensor3D);
        dz = da.mul(activationDerivative(outputs[l - 1], config.activation)) as tf.Tensor3D;
      }
    }
    return { losses, grads };
  });
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
   * Node, a fetched asset in a web page. Its tasks compute with `kernel` (an engine's `mlp`)
   * when given, else on TensorFlow.js.
   */
  constructor(
    readonly mlp: MlpConfig,
    private readonly data: MnistSource,
    private readonly kernel: MlpKernel | null = null,
  ) {
    this.config = { ...mlp };
  }

  /** Every member's weights and biases; the images are shared, so no data per sample. */
  sizeOf(members: number): TaskSize {
    const sizes = layerSizes(this.mlp);
    let params = 0;
    for (let l = 1; l < sizes.length; l++) params += sizes[l - 1] * sizes[l] + sizes[l];
    return { coordinates: members * params, dataFloats: 0 };
  }

  /** Draws `members` networks' minibatch streams (weights come from `init`). */
  sample(rng: Rng, members: number): MlpTask {
    return new MlpTask(this.mlp, members, this.data(this.mlp.split), rng.child('minibatches'), this.kernel);
  }
}
