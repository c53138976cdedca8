/**
 * The optimizee side of learning to learn. A task is data, not code paths: it only has to say
 * how to draw θ0 and what its loss is. Optimizers see nothing of a task but (loss, ∇).
 *
 * One task may hold several independent problems ("members"), e.g. 128 random quadratics,
 * evaluated together for speed. Each member's loss is reported separately; the gradient the
 * optimizer sees is that of the task's objective (the sum or the mean of the member losses).
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../random/rng.ts';

/** How the member losses combine into the scalar objective whose gradient optimizers see. */
export type Objective = 'sum' | 'mean';

/** One optimization problem (or a batch of independent ones) with fixed data. */
export interface Task {
  /** Number of independent problems held by this task. */
  readonly members: number;
  /** The objective whose gradient optimizers see: 'sum' gives each member its own loss's gradient. */
  readonly objective: Objective;
  /** Shapes of the parameter tensors; the first dimension of each indexes the member. */
  readonly paramShapes: number[][];
  /** Draws initial parameters θ0. */
  init(rng: Rng): tf.Tensor[];
  /** Loss of each member at `params`, as differentiable tf ops; `step` picks the minibatch. */
  loss(params: tf.Tensor[], step: number): tf.Tensor1D;
  /** Optional faster loss-and-gradient (e.g. closed form); must equal autodiff of `loss`. */
  lossAndGrad?(params: tf.Tensor[], step: number): LossAndGrad;
  /**
   * Optional: the same as `lossAndGrad` on plain arrays (one per parameter tensor, row-major),
   * for tasks so small that TensorFlow.js's cost per operation would dominate (the quadratics).
   */
  flatLossAndGrad?(params: Float32Array[], step: number): FlatLossAndGrad;
  /** Per-member metrics of final parameters beyond the minibatch loss (e.g. full test-set loss and accuracy). */
  finalMetrics?(params: tf.Tensor[]): Record<string, Float32Array>;
  /** Frees the task's data tensors. */
  dispose?(): void;
}

/** Member losses and the gradient of the task's objective. */
export interface LossAndGrad {
  /** Loss of each member, shape [members]. */
  losses: tf.Tensor1D;
  /** Gradient of the objective for each parameter tensor. */
  grads: tf.Tensor[];
}

/** `LossAndGrad` on plain arrays. */
export interface FlatLossAndGrad {
  /** Loss of each member. */
  losses: Float32Array;
  /** Gradient of the objective, one array per parameter tensor. */
  grads: Float32Array[];
}

/** Sizes of a sample of a task family (see `TaskFamily.sizeOf`). */
export interface TaskSize {
  /** Optimizee parameters of all members together. */
  coordinates: number;
  /** Floats of task data drawn with the sample (not counting data shared by every sample). */
  dataFloats: number;
}

/** A distribution over tasks. */
export interface TaskFamily {
  /** A short name used in files and reports, e.g. 'quadratic'. */
  readonly name: string;
  /** The family's configuration, recorded in every output file. */
  readonly config: Record<string, unknown>;
  /** Draws one task holding `members` independent problems. */
  sample(rng: Rng, members: number): Task;
  /**
   * What `sample(rng, members)` will hold, worked out without drawing it: optimizee coordinates
   * (parameters of all members) and floats of task data (e.g. a quadratic's W and y), so that
   * sizes from input can be refused before anything is allocated.
   */
  sizeOf(members: number): TaskSize;
  /** How many problems to batch into one task when evaluating many runs (default: all). */
  readonly evaluationChunk?: number;
}

/** Member losses and objective gradient at `params`, closed form when the task has one. */
export function lossAndGrad(task: Task, params: tf.Tensor[], step: number): LossAndGrad {
  if (task.lossAndGrad) return task.lossAndGrad(params, step);
  return autodiffLossAndGrad(task, params, step);
}

/** Member losses and objective gradient by TensorFlow.js autodiff of `task.loss`. */
export function autodiffLossAndGrad(task: Task, params: tf.Tensor[], step: number): LossAndGrad {
  let losses: tf.Tensor1D | undefined;
  const { grads } = tf.tidy(() => {
    const r = tf.valueAndGrads((...ps: tf.Tensor[]) => {
      const l = task.loss(ps, step);
      losses = tf.keep(l.clone());
      return task.objective === 'sum' ? l.sum() : l.mean();
    })(params);
    r.value.dispose();
    return { grads: r.grads };
  });
  return { losses: losses!, grads };
}

/** d(mean member loss)/d(objective): converts objective gradients to mean-loss gradients. */
export function meanLossScale(task: Task): number {
  return task.objective === 'sum' ? 1 / task.members : 1;
}

/** Total number of coordinates in the task's parameters. */
export function numCoordinates(task: Task): number {
  return task.paramShapes.reduce((n, shape) => n + shape.reduce((a, b) => a * b, 1), 0);
}

/** What meta-training minimizes over a horizon: Σ_t l(θt) (the paper) or Σ_t log l(θt). */
export type MetaObjective = 'loss' | 'log';

/**
 * `metaObjectiveGrads` on plain arrays, in place: for 'log', each member's gradient entries
 * (the first dimension of every parameter tensor indexes the member) are divided by its loss.
 */
export function scaleByInverseLoss(objective: MetaObjective, grads: Float32Array[], losses: Float32Array): void {
  if (objective === 'loss') return;
  const members = losses.length;
  for (const g of grads) {
    const perMember = g.length / members;
    for (let k = 0; k < members; k++) {
      const inverse = 1 / Math.max(losses[k], 1e-30);
      for (let j = k * perMember; j < (k + 1) * perMember; j++) g[j] *= inverse;
    }
  }
}

/**
 * Gradients of the meta-objective's term at these parameters: the objective gradient itself
 * for 'loss'; for 'log', each member's gradient divided by its loss (∂ log l = ∇l / l).
 */
export function metaObjectiveGrads(objective: MetaObjective, grads: tf.Tensor[], losses: tf.Tensor1D): tf.Tensor[] {
  if (objective === 'loss') return grads;
  return tf.tidy(() => {
    const inverse = tf.scalar(1).div(losses.maximum(1e-30));
    return grads.map((g) => g.mul(inverse.reshape([g.shape[0], ...g.shape.slice(1).map(() => 1)])));
  });
}
