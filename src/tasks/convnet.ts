/**
 * Small convolutional networks on 28×28 images (MNIST or Fashion-MNIST): the shape of the
 * paper's CIFAR-10 network (§3.3: convolutions with ReLU and max pooling, then a dense layer of
 * 32 units) at MNIST size, without batch normalization. The architecture is configuration — a
 * list of layers, written like `conv8x3,relu,pool2,conv16x3,relu,pool2,dense32,relu,dense10` —
 * computed by one piece of code: TensorFlow.js ops and autodiff, one member (network) at a time,
 * each with its own seeded minibatches of 128 images. Convolutions use 'same' padding, stride 1;
 * pooling is max pooling with stride equal to its size. Weights are Glorot-uniform, biases zero.
 */
import * as tf from '@tensorflow/tfjs';
import { MNIST_CLASSES, mnistImages, type MnistSource, type MnistSplit, type MnistSplitName } from '../data/mnistSplit.ts';
import type { DatasetName } from '../data/mnist.ts';
import type { Rng } from '../random/rng.ts';
import { memberViews, memberwiseLoss, memberwiseLossAndGrad, sizeOfShape, type LossAndGrad, type Task, type TaskFamily, type TaskSize } from './task.ts';

/** One layer of a convnet. */
export type ConvLayer =
  | { type: 'conv'; filters: number; size: number }
  | { type: 'pool'; size: number }
  | { type: 'dense'; units: number }
  | { type: 'relu' }
  | { type: 'sigmoid' }
  | { type: 'tanh' };

/** Configuration of the convnet family. */
export interface ConvnetConfig {
  /** Which images. */
  dataset: DatasetName;
  /** Which of its splits the networks train on. */
  split: MnistSplitName;
  batchSize: number;
  /** The layers from the image to the logits (the last layer is dense with 10 units). */
  layers: ConvLayer[];
}

/** The default layers: two conv/ReLU/pool blocks (8 and 16 filters of 3×3), a dense layer of 32 ReLU units, 10 logits (26,698 parameters). */
export const PAPER_CONVNET_LAYERS = 'conv8x3,relu,pool2,conv16x3,relu,pool2,dense32,relu,dense10';

/** Parses a layer list like `conv8x3,relu,pool2,dense32,relu,dense10`; throws an Error naming the bad part. */
export function parseLayers(spec: string): ConvLayer[] {
  const layers = spec.split(',').map((part): ConvLayer => {
    const p = part.trim();
    let m: RegExpMatchArray | null;
    if ((m = /^conv(\d+)x(\d+)$/.exec(p))) return { type: 'conv', filters: bounded(m[1], 1, 256, p), size: bounded(m[2], 1, 9, p) };
    if ((m = /^pool(\d+)$/.exec(p))) return { type: 'pool', size: bounded(m[1], 2, 8, p) };
    if ((m = /^dense(\d+)$/.exec(p))) return { type: 'dense', units: bounded(m[1], 1, 4096, p) };
    if (p === 'relu' || p === 'sigmoid' || p === 'tanh') return { type: p };
    throw new Error(`'${p}' is not a layer: use convFxS (F filters of S×S), poolS, denseU, relu, sigmoid or tanh, e.g. ${PAPER_CONVNET_LAYERS}`);
  });
  const last = layers[layers.length - 1];
  if (last.type !== 'dense' || last.units !== MNIST_CLASSES) throw new Error(`the last layer must be dense${MNIST_CLASSES} (the logits), got '${spec.split(',').pop()!.trim()}'`);
  if (layers.length > 32) throw new Error(`at most 32 layers, got ${layers.length}`);
  return layers;
}

function bounded(text: string, min: number, max: number, part: string): number {
  const n = Number(text);
  if (n < min || n > max) throw new Error(`'${part}': ${n} is outside ${min}..${max}`);
  return n;
}

/** The parameter shapes of one network ([fh, fw, in, out] and [out] per conv; [in, out] and [out] per dense), and its output's [h, w, c]. */
export function convnetShapes(layers: ConvLayer[]): { shapes: number[][]; output: number[] } {
  let [h, w, c] = [28, 28, 1];
  let flat = false;
  const shapes: number[][] = [];
  for (const layer of layers) {
    if (layer.type === 'conv') {
      if (flat) throw new Error('a conv layer cannot follow a dense layer');
      shapes.push([layer.size, layer.size, c, layer.filters], [layer.filters]);
      c = layer.filters;
    } else if (layer.type === 'pool') {
      if (flat) throw new Error('a pool layer cannot follow a dense layer');
      if (h < layer.size || w < layer.size) throw new Error(`pool${layer.size} on a ${h}×${w} image`);
      [h, w] = [Math.floor(h / layer.size), Math.floor(w / layer.size)];
    } else if (layer.type === 'dense') {
      shapes.push([flat ? c : h * w * c, layer.units], [layer.units]);
      [h, w, c, flat] = [1, 1, layer.units, true];
    }
  }
  return { shapes, output: [h, w, c] };
}

/** A batch of `members` convnets with seeded minibatches. */
export class ConvnetTask implements Task {
  readonly objective = 'sum' as const;
  readonly paramShapes: number[][];
  private readonly memberShapes: number[][];
  private batch: { step: number; x: tf.Tensor4D[]; y: tf.Tensor2D[] } | undefined;

  /** Networks for `config`, minibatches from `data` drawn by `rng`. */
  constructor(
    readonly config: ConvnetConfig,
    readonly members: number,
    private readonly data: MnistSplit,
    private readonly rng: Rng,
  ) {
    this.memberShapes = convnetShapes(config.layers).shapes;
    this.paramShapes = this.memberShapes.map((shape) => [members, ...shape]);
  }

  /** Glorot-uniform weights (fan-in and fan-out counting the filter window), zero biases. */
  init(rng: Rng): Float32Array {
    const theta = new Float32Array(this.paramShapes.reduce((n, shape) => n + sizeOfShape(shape), 0));
    let offset = 0;
    this.memberShapes.forEach((shape, k) => {
      const size = sizeOfShape(shape) * this.members;
      if (shape.length > 1) {
        const receptive = shape.length === 4 ? shape[0] * shape[1] : 1;
        const limit = Math.sqrt(6 / (receptive * (shape[shape.length - 2] + shape[shape.length - 1])));
        theta.set(rng.child(`param${k}`).uniformArray(size, -limit, limit), offset);
      }
      offset += size;
    });
    return theta;
  }

  /** Mean softmax cross-entropy of each member on its minibatch for `step`. */
  loss(params: tf.Tensor[], step: number): tf.Tensor1D {
    const { x, y } = this.minibatch(step);
    return memberwiseLoss(params, this.members, (k, own) => crossEntropy(logits(this.config.layers, own, x[k]), y[k]));
  }

  /** Loss and gradient by TensorFlow.js autodiff, one member at a time. */
  lossAndGrad(theta: Float32Array, step: number): LossAndGrad {
    const { x, y } = this.minibatch(step);
    return memberwiseLossAndGrad(theta, this.memberShapes, this.members, (k, own) => crossEntropy(logits(this.config.layers, own, x[k]), y[k]));
  }

  /** Loss and accuracy of each member on every image of the split. */
  finalMetrics(theta: Float32Array): Record<string, Float32Array> {
    const loss = new Float64Array(this.members);
    const correct = new Float64Array(this.members);
    const chunk = 500;
    for (let k = 0; k < this.members; k++) {
      const params = memberViews(theta, this.memberShapes, this.members, k).map((v, i) => tf.tensor(v, this.memberShapes[i]));
      for (let start = 0; start < this.data.count; start += chunk) {
        const n = Math.min(chunk, this.data.count - start);
        const [l, c] = tf.tidy(() => {
          const x = tf.tensor4d(mnistImages(this.data, start, n), [n, 28, 28, 1]);
          const labels = tf.tensor1d(this.data.labels.subarray(start, start + n), 'int32');
          const z = logits(this.config.layers, params, x);
          return [z.logSoftmax().mul(tf.oneHot(labels, MNIST_CLASSES)).sum().neg().dataSync()[0], z.argMax(1).equal(labels).sum().dataSync()[0]];
        });
        loss[k] += l;
        correct[k] += c;
      }
      tf.dispose(params);
    }
    return { fullLoss: Float32Array.from(loss, (v) => v / this.data.count), accuracy: Float32Array.from(correct, (v) => v / this.data.count) };
  }

  /** Frees the cached minibatch. */
  dispose(): void {
    if (this.batch) tf.dispose([...this.batch.x, ...this.batch.y]);
    this.batch = undefined;
  }

  /** Every member's minibatch for `step`: images [batch, 28, 28, 1] and one-hot labels (drawn with replacement, seeded by the task). */
  private minibatch(step: number): { x: tf.Tensor4D[]; y: tf.Tensor2D[] } {
    if (this.batch?.step === step) return this.batch;
    this.dispose();
    const r = this.rng.child(`step${step}`);
    const b = this.config.batchSize;
    const x: tf.Tensor4D[] = [];
    const y: tf.Tensor2D[] = [];
    for (let k = 0; k < this.members; k++) {
      const pixels = new Float32Array(b * 784);
      const onehot = new Float32Array(b * MNIST_CLASSES);
      for (let i = 0; i < b; i++) {
        const index = r.int(this.data.count);
        mnistImages(this.data, index, 1, pixels.subarray(i * 784, (i + 1) * 784));
        onehot[i * MNIST_CLASSES + this.data.labels[index]] = 1;
      }
      x.push(tf.keep(tf.tensor4d(pixels, [b, 28, 28, 1])));
      y.push(tf.keep(tf.tensor2d(onehot, [b, MNIST_CLASSES])));
    }
    this.batch = { step, x, y };
    return this.batch;
  }
}

/** The logits [batch, 10] of one network with parameters `params` (in `convnetShapes` order) on images x. */
function logits(layers: ConvLayer[], params: tf.Tensor[], x: tf.Tensor4D): tf.Tensor2D {
  let a: tf.Tensor = x;
  let p = 0;
  for (const layer of layers) {
    switch (layer.type) {
      case 'conv':
        a = tf.conv2d(a as tf.Tensor4D, params[p] as tf.Tensor4D, 1, 'same').add(params[p + 1]);
        p += 2;
        break;
      case 'pool':
        a = tf.maxPool(a as tf.Tensor4D, layer.size, layer.size, 'valid');
        break;
      case 'dense':
        if (a.rank !== 2) a = a.reshape([a.shape[0], -1]);
        a = tf.matMul(a as tf.Tensor2D, params[p] as tf.Tensor2D).add(params[p + 1]);
        p += 2;
        break;
      default:
        a = tf[layer.type](a);
    }
  }
  return a as tf.Tensor2D;
}

/** Mean softmax cross-entropy over the batch. */
function crossEntropy(z: tf.Tensor2D, y: tf.Tensor2D): tf.Scalar {
  return z.logSoftmax().mul(y).sum(1).mean().neg() as tf.Scalar;
}

/** The family of convnets of one architecture on one dataset. */
export class ConvnetFamily implements TaskFamily {
  readonly name = 'convnet';
  readonly config: Record<string, unknown>;
  /** Networks per batched task when evaluating many runs. */
  readonly evaluationChunk = 10;

  /** A family for `convnet` whose images come from `data` (called on first use). */
  constructor(
    readonly convnet: ConvnetConfig,
    private readonly data: MnistSource,
  ) {
    convnetShapes(convnet.layers);
    this.config = { ...convnet };
  }

  /** Every member's parameters; the images are shared. */
  sizeOf(members: number): TaskSize {
    return { coordinates: members * convnetShapes(this.convnet.layers).shapes.reduce((n, s) => n + sizeOfShape(s), 0), dataFloats: 0 };
  }

  /** Draws `members` networks' minibatch streams. */
  sample(rng: Rng, members: number): ConvnetTask {
    return new ConvnetTask(this.convnet, members, this.data(this.convnet.split), rng.child('minibatches'));
  }
}
