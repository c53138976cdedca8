/**
 * Random quadratics f(θ) = ||Wθ − y||² (Andrychowicz et al. 2016, §3.1), 10-d by default.
 *
 * Two variants:
 * - 'paper': W, y, θ0 ~ N(0, 1); each function's gradient is its own loss's (objective 'sum').
 * - 'deepmind': W, y ~ U[0, 1], θ0 ~ N(0, 0.01²), and optimizers see the gradient of the
 *   batch-mean loss (as in deepmind/learning-to-learn `problems.quadratic`).
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../random/rng.ts';
import type { LossAndGrad, Objective, Task, TaskFamily, TaskSize } from './task.ts';

/** Which published setup the quadratics follow. */
export type QuadraticVariant = 'paper' | 'deepmind';

/** Configuration of the quadratic family. */
export interface QuadraticConfig {
  dims: number;
  variant: QuadraticVariant;
}

/** The default: 10-d quadratics as in the paper. */
export const DEFAULT_QUADRATIC: QuadraticConfig = { dims: 10, variant: 'paper' };

/** A batch of quadratics sharing a dimension; W is [members, d, d], y is [members, d]. */
export class QuadraticTask implements Task {
  readonly members: number;
  readonly objective: Objective;
  readonly paramShapes: number[][];
  /** W and y as tensors, made on the first call of `loss` (tests and the reference path). */
  private tensors: { w: tf.Tensor3D; y: tf.Tensor3D } | undefined;

  /** Holds W ([members, d, d], row-major) and y ([members, d]). */
  constructor(
    readonly config: QuadraticConfig,
    private readonly wValues: Float32Array,
    private readonly yValues: Float32Array,
    members: number,
  ) {
    this.members = members;
    this.objective = config.variant === 'paper' ? ('sum' as const) : ('mean' as const);
    this.paramShapes = [[members, config.dims]];
  }

  /** θ0 ~ N(0, 1) ('paper') or N(0, 0.01²) ('deepmind'). */
  init(rng: Rng): Float32Array {
    const std = this.config.variant === 'paper' ? 1 : 0.01;
    return rng.normalArray(this.members * this.config.dims, std);
  }

  /** ||Wθ − y||² for each member, as TensorFlow.js ops. */
  loss(params: tf.Tensor[], _step: number): tf.Tensor1D {
    const d = this.config.dims;
    this.tensors ??= { w: tf.keep(tf.tensor3d(this.wValues, [this.members, d, d])), y: tf.keep(tf.tensor3d(this.yValues, [this.members, d, 1])) };
    const { w, y } = this.tensors;
    return tf.tidy(() => tf.matMul(w, params[0].reshape([this.members, d, 1])).sub(y).square().sum([1, 2]) as tf.Tensor1D);
  }

  /**
   * Closed form, in double precision: ∇ = 2 Wᵀ(Wθ − y), divided by the member count for the
   * 'mean' objective.
   */
  lossAndGrad(theta: Float32Array, _step: number): LossAndGrad {
    const d = this.config.dims;
    const w = this.wValues;
    const y = this.yValues;
    const scale = this.objective === 'sum' ? 2 : 2 / this.members;
    const losses = new Float32Array(this.members);
    const grad = new Float32Array(this.members * d);
    const g = new Float64Array(d);
    for (let k = 0, wRow = 0; k < this.members; k++) {
      const first = k * d;
      g.fill(0);
      let loss = 0;
      // Row i of W: r_i = W_i·θ − y_i adds r_i² to the loss and r_i·W_i to Wᵀr.
      for (let i = 0; i < d; i++, wRow += d) {
        let r = -y[first + i];
        for (let j = 0; j < d; j++) r += w[wRow + j] * theta[first + j];
        loss += r * r;
        for (let j = 0; j < d; j++) g[j] += w[wRow + j] * r;
      }
      losses[k] = loss;
      for (let j = 0; j < d; j++) grad[first + j] = g[j] * scale;
    }
    return { losses, grad };
  }

  /** Frees the tensors `loss` made, if any. */
  dispose(): void {
    if (this.tensors) tf.dispose([this.tensors.w, this.tensors.y]);
    this.tensors = undefined;
  }
}

/** The family of random quadratics. */
export class QuadraticFamily implements TaskFamily {
  readonly name = 'quadratic';
  readonly config: Record<string, unknown>;

  /** A family with the given dimension and variant. */
  constructor(readonly quadratic: QuadraticConfig = DEFAULT_QUADRATIC) {
    this.config = { ...quadratic };
  }

  /** members × d coordinates; W and y: members × (d² + d) floats. */
  sizeOf(members: number): TaskSize {
    const d = this.quadratic.dims;
    return { coordinates: members * d, dataFloats: members * (d * d + d) };
  }

  /** Draws `members` functions: W and y from the variant's distribution. */
  sample(rng: Rng, members: number): QuadraticTask {
    const d = this.quadratic.dims;
    const draw =
      this.quadratic.variant === 'paper'
        ? (r: Rng, n: number) => r.normalArray(n)
        : (r: Rng, n: number) => r.uniformArray(n);
    const w = draw(rng.child('W'), members * d * d);
    const y = draw(rng.child('y'), members * d);
    return new QuadraticTask(this.quadratic, w, y, members);
  }
}
