/**
 * Recurrent networks on the TensorFlow.js examples' addition task: read a sum like "123+45 " one
 * character at a time and write its result "168 " — a recurrent encoder, its last state repeated
 * as the input of every step of a recurrent decoder, and a dense softmax over the 12 characters
 * at each output step (tfjs-examples' addition-rnn, at a smaller size). The cell is SimpleRNN
 * (h' = tanh(x·W + h·U + b)) or GRU (tfjs-layers' GRU: update z, reset r, candidate
 * tanh(x·Wh + (r∘h)·Uh + bh), h' = z∘h + (1 − z)∘candidate). The loss is the mean categorical
 * cross-entropy over the batch and the output characters. Sums are drawn from the task's seed at
 * every step (no dataset); TensorFlow.js ops and autodiff, one member at a time. Kernels and
 * recurrent kernels are Glorot-uniform, biases zero.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../random/rng.ts';
import { memberViews, memberwiseLoss, memberwiseLossAndGrad, sizeOfShape, type LossAndGrad, type Task, type TaskFamily, type TaskSize } from './task.ts';

/** The recurrent cells. */
export const RNN_CELLS = ['simple', 'gru'] as const;
/** A recurrent cell. */
export type RnnCell = (typeof RNN_CELLS)[number];

/** Configuration of the addition-RNN family. */
export interface RnnConfig {
  cell: RnnCell;
  /** Units of the encoder and of the decoder. */
  units: number;
  /** Digits of each operand (sums of two numbers below 10^digits). */
  digits: number;
  batchSize: number;
}

/** The characters, one-hot encoded in this order. */
export const ADDITION_CHARS = '0123456789+ ';
const V = ADDITION_CHARS.length;

/** The default: SimpleRNN cells of 32 units on 3-digit sums, 128 sums per minibatch (3,916 parameters). */
export const DEFAULT_RNN: RnnConfig = { cell: 'simple', units: 32, digits: 3, batchSize: 128 };

/** Input and output sequence lengths ("999+999", "1998"). */
export function additionLengths(digits: number): { input: number; output: number } {
  return { input: 2 * digits + 1, output: digits + 1 };
}

/** Parameter shapes of one network: encoder kernel, recurrent kernel, bias; the decoder's; output kernel and bias. */
export function rnnShapes(config: Pick<RnnConfig, 'cell' | 'units'>): number[][] {
  const gates = config.cell === 'gru' ? 3 : 1;
  const h = config.units;
  return [[V, gates * h], [h, gates * h], [gates * h], [h, gates * h], [h, gates * h], [gates * h], [h, V], [V]];
}

/** One-hot sums a + b with a, b drawn uniformly below 10^digits by `rng`: x [count, input, 12], y [count, output, 12]. */
export function additionBatch(rng: Rng, count: number, digits: number): { x: Float32Array; y: Float32Array } {
  const { input, output } = additionLengths(digits);
  const x = new Float32Array(count * input * V);
  const y = new Float32Array(count * output * V);
  for (let i = 0; i < count; i++) {
    const a = rng.int(10 ** digits);
    const b = rng.int(10 ** digits);
    const question = `${a}+${b}`.padEnd(input, ' ');
    const answer = String(a + b).padEnd(output, ' ');
    for (let t = 0; t < input; t++) x[(i * input + t) * V + ADDITION_CHARS.indexOf(question[t])] = 1;
    for (let t = 0; t < output; t++) y[(i * output + t) * V + ADDITION_CHARS.indexOf(answer[t])] = 1;
  }
  return { x, y };
}

/** One step of `cell` from state h on input x (kernel W, recurrent kernel U, bias b). */
function cellStep(cell: RnnCell, x: tf.Tensor2D, h: tf.Tensor2D, W: tf.Tensor2D, U: tf.Tensor2D, b: tf.Tensor1D): tf.Tensor2D {
  if (cell === 'simple') return tf.tanh(tf.matMul(x, W).add(tf.matMul(h, U)).add(b)) as tf.Tensor2D;
  const units = h.shape[1];
  const xw = tf.matMul(x, W).add(b);
  const [Uzr, Uh] = tf.split(U, [2 * units, units], 1);
  const [xzr, xh] = tf.split(xw, [2 * units, units], 1);
  const [z, r] = tf.split(tf.sigmoid(xzr.add(tf.matMul(h, Uzr))), 2, 1);
  const candidate = tf.tanh(xh.add(tf.matMul(r.mul(h), Uh)));
  return z.mul(h).add(tf.scalar(1).sub(z).mul(candidate)) as tf.Tensor2D;
}

/** The logits [batch, output, 12] of one network with parameters `params` (in `rnnShapes` order) on one-hot sums x [batch, input, 12]. */
function logits(config: RnnConfig, params: tf.Tensor[], x: tf.Tensor3D): tf.Tensor3D {
  const [W, U, b, W2, U2, b2, Wo, bo] = params as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D, tf.Tensor2D, tf.Tensor2D, tf.Tensor1D, tf.Tensor2D, tf.Tensor1D];
  const [batch, steps] = x.shape;
  let h = tf.zeros([batch, config.units]) as tf.Tensor2D;
  for (let t = 0; t < steps; t++) {
    const xt = x.slice([0, t, 0], [batch, 1, V]).reshape([batch, V]) as tf.Tensor2D;
    h = cellStep(config.cell, xt, h, W, U, b);
  }
  const encoded = h;
  let s = tf.zeros([batch, config.units]) as tf.Tensor2D;
  const outputs: tf.Tensor2D[] = [];
  for (let t = 0; t < additionLengths(config.digits).output; t++) {
    s = cellStep(config.cell, encoded, s, W2, U2, b2);
    outputs.push(tf.matMul(s, Wo).add(bo));
  }
  return tf.stack(outputs, 1) as tf.Tensor3D;
}

/** Mean categorical cross-entropy over the batch and the output steps. */
function crossEntropy(z: tf.Tensor3D, y: tf.Tensor3D): tf.Scalar {
  return z.logSoftmax().mul(y).sum(2).mean().neg() as tf.Scalar;
}

/** A batch of `members` addition RNNs with seeded minibatches. */
export class RnnTask implements Task {
  readonly objective = 'sum' as const;
  readonly paramShapes: number[][];
  private readonly memberShapes: number[][];
  private batch: { step: number; x: tf.Tensor3D[]; y: tf.Tensor3D[] } | undefined;

  /** Networks for `config`, minibatches drawn by `rng`. */
  constructor(
    readonly config: RnnConfig,
    readonly members: number,
    private readonly rng: Rng,
  ) {
    this.memberShapes = rnnShapes(config);
    this.paramShapes = this.memberShapes.map((shape) => [members, ...shape]);
  }

  /** Glorot-uniform kernels, zero biases. */
  init(rng: Rng): Float32Array {
    const theta = new Float32Array(this.paramShapes.reduce((n, shape) => n + sizeOfShape(shape), 0));
    let offset = 0;
    this.memberShapes.forEach((shape, k) => {
      const size = sizeOfShape(shape) * this.members;
      if (shape.length === 2) {
        const limit = Math.sqrt(6 / (shape[0] + shape[1]));
        theta.set(rng.child(`param${k}`).uniformArray(size, -limit, limit), offset);
      }
      offset += size;
    });
    return theta;
  }

  /** Mean cross-entropy of each member on its minibatch for `step`. */
  loss(params: tf.Tensor[], step: number): tf.Tensor1D {
    const { x, y } = this.minibatch(step);
    return memberwiseLoss(params, this.members, (k, own) => crossEntropy(logits(this.config, own, x[k]), y[k]));
  }

  /** Loss and gradient by TensorFlow.js autodiff, one member at a time. */
  lossAndGrad(theta: Float32Array, step: number): LossAndGrad {
    const { x, y } = this.minibatch(step);
    return memberwiseLossAndGrad(theta, this.memberShapes, this.members, (k, own) => crossEntropy(logits(this.config, own, x[k]), y[k]));
  }

  /** Loss and per-character accuracy of each member on 1,000 held-out sums (the same for every task: drawn from seed 0's 'heldout' stream). */
  finalMetrics(theta: Float32Array): Record<string, Float32Array> {
    const count = 1000;
    const { output, input } = additionLengths(this.config.digits);
    const { x, y } = additionBatch(new Rng(0).child('heldout'), count, this.config.digits);
    const loss = new Float32Array(this.members);
    const accuracy = new Float32Array(this.members);
    tf.tidy(() => {
      const xs = tf.tensor3d(x, [count, input, V]);
      const ys = tf.tensor3d(y, [count, output, V]);
      for (let k = 0; k < this.members; k++) {
        const params = memberViews(theta, this.memberShapes, this.members, k).map((v, i) => tf.tensor(v, this.memberShapes[i]));
        const z = logits(this.config, params, xs);
        loss[k] = crossEntropy(z, ys).dataSync()[0];
        accuracy[k] = z.argMax(2).equal(ys.argMax(2)).cast('float32').mean().dataSync()[0];
      }
    });
    return { fullLoss: loss, accuracy };
  }

  /** Frees the cached minibatch. */
  dispose(): void {
    if (this.batch) tf.dispose([...this.batch.x, ...this.batch.y]);
    this.batch = undefined;
  }

  /** Every member's minibatch for `step` (sums drawn from the task's 'step<N>' stream). */
  private minibatch(step: number): { x: tf.Tensor3D[]; y: tf.Tensor3D[] } {
    if (this.batch?.step === step) return this.batch;
    this.dispose();
    const r = this.rng.child(`step${step}`);
    const { input, output } = additionLengths(this.config.digits);
    const b = this.config.batchSize;
    const x: tf.Tensor3D[] = [];
    const y: tf.Tensor3D[] = [];
    for (let k = 0; k < this.members; k++) {
      const sums = additionBatch(r.child(k), b, this.config.digits);
      x.push(tf.keep(tf.tensor3d(sums.x, [b, input, V])));
      y.push(tf.keep(tf.tensor3d(sums.y, [b, output, V])));
    }
    this.batch = { step, x, y };
    return this.batch;
  }
}

/** The family of addition RNNs of one cell and size. */
export class RnnFamily implements TaskFamily {
  readonly name = 'rnn';
  readonly config: Record<string, unknown>;
  /** Networks per batched task when evaluating many runs. */
  readonly evaluationChunk = 10;

  /** A family of networks configured by `rnn`. */
  constructor(readonly rnn: RnnConfig) {
    if (!RNN_CELLS.includes(rnn.cell)) throw new Error(`unknown cell '${rnn.cell}': use ${RNN_CELLS.join(' or ')}`);
    for (const [key, min, max] of [['units', 1, 1024], ['digits', 1, 6], ['batchSize', 1, 4096]] as const) {
      if (!Number.isInteger(rnn[key]) || rnn[key] < min || rnn[key] > max) throw new Error(`rnn ${key} must be an integer in ${min}..${max}, got ${rnn[key]}`);
    }
    this.config = { ...rnn };
  }

  /** Every member's parameters; the sums are drawn step by step. */
  sizeOf(members: number): TaskSize {
    return { coordinates: members * rnnShapes(this.rnn).reduce((n, s) => n + sizeOfShape(s), 0), dataFloats: 0 };
  }

  /** Draws `members` networks' minibatch streams. */
  sample(rng: Rng, members: number): RnnTask {
    return new RnnTask(this.rnn, members, rng.child('minibatches'));
  }
}
