/**
 * The optimizee side of learning to learn. A task is data, not code paths: it only has to say
 * how to draw θ0 and what its loss and gradient are. Optimizers see nothing of a task but
 * (loss, ∇).
 *
 * θ is one flat array: the parameter tensors' values one after another (row-major), the form
 * optimizers, unrolls and meta-training share. One task may hold several independent problems
 * ("members"), e.g. 128 random quadratics, evaluated together for speed: the first dimension of
 * every parameter tensor indexes the member. Each member's loss is reported separately; the
 * gradient the optimizer sees is that of the task's objective (the sum or the mean of the member
 * losses).
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../random/rng.ts';

/** How the member losses combine into the scalar objective whose gradient optimizers see. */
export type Objective = 'sum' | 'mean';

/** Member losses and the gradient of the task's objective, on flat arrays. */
export interface LossAndGrad {
  /** Loss of each member. */
  losses: Float32Array;
  /** Gradient of the objective, shaped like θ (flat). */
  grad: Float32Array;
}

/** One optimization problem (or a batch of independent ones) with fixed data. */
export interface Task {
  /** Number of independent problems held by this task. */
  readonly members: number;
  /** The objective whose gradient optimizers see: 'sum' gives each member its own loss's gradient. */
  readonly objective: Objective;
  /** Shapes of the parameter tensors; the first dimension of each indexes the member. */
  readonly paramShapes: number[][];
  /** Draws initial parameters θ0 (flat). */
  init(rng: Rng): Float32Array;
  /** Member losses and the objective's gradient at θ on the minibatch of `step`. */
  lossAndGrad(theta: Float32Array, step: number): LossAndGrad;
  /**
   * The loss of each member as differentiable TensorFlow.js ops of the parameter tensors: what
   * `lossAndGrad` must equal the gradient of (tests, and the reference meta-gradient).
   */
  loss(params: tf.Tensor[], step: number): tf.Tensor1D;
  /** Per-member metrics of final parameters beyond the minibatch loss (e.g. full test-set loss and accuracy). */
  finalMetrics?(theta: Float32Array): Record<string, Float32Array>;
  /** Frees the task's data tensors. */
  dispose?(): void;
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

/** Number of values of one tensor shape. */
export function sizeOfShape(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Total number of coordinates in the task's parameters (θ's length). */
export function numCoordinates(task: Pick<Task, 'paramShapes'>): number {
  return task.paramShapes.reduce((n, shape) => n + sizeOfShape(shape), 0);
}

/** Flat θ as new tensors of `shapes` (the caller disposes them). */
export function paramTensors(theta: Float32Array, shapes: number[][]): tf.Tensor[] {
  let offset = 0;
  return shapes.map((shape) => tf.tensor(theta.subarray(offset, (offset += sizeOfShape(shape))), shape));
}

/** Tensors' values one after another in one new array (the inverse of `paramTensors`). */
export function flatValues(tensors: tf.Tensor[]): Float32Array {
  const out = new Float32Array(tensors.reduce((n, t) => n + t.size, 0));
  let offset = 0;
  for (const t of tensors) {
    out.set(t.dataSync() as Float32Array, offset);
    offset += t.size;
  }
  return out;
}

/**
 * Member k's part of every parameter tensor of flat `values` (views): each tensor is
 * [members, ...shape] for one of `memberShapes`.
 */
export function memberViews(values: Float32Array, memberShapes: number[][], members: number, k: number): Float32Array[] {
  let offset = 0;
  return memberShapes.map((shape) => {
    const size = sizeOfShape(shape);
    const view = values.subarray(offset + k * size, offset + (k + 1) * size);
    offset += size * members;
    return view;
  });
}

/** Each member's loss as ops of the batched parameter tensors: `lossOf(k, own)` on member k's slices. */
export function memberwiseLoss(params: tf.Tensor[], members: number, lossOf: (k: number, own: tf.Tensor[]) => tf.Scalar): tf.Tensor1D {
  return tf.tidy(() => {
    const losses = Array.from({ length: members }, (_, k) => lossOf(k, params.map((p) => p.slice([k], [1]).reshape(p.shape.slice(1)))));
    return tf.stack(losses) as tf.Tensor1D;
  });
}

/**
 * Member losses and the 'sum' objective's gradient by TensorFlow.js autodiff, one member at a
 * time (small graphs, each member's own loss): `lossOf(k, own)` is member k's loss on its
 * parameter tensors of `memberShapes`.
 */
export function memberwiseLossAndGrad(theta: Float32Array, memberShapes: number[][], members: number, lossOf: (k: number, own: tf.Tensor[]) => tf.Scalar): LossAndGrad {
  const losses = new Float32Array(members);
  const grad = new Float32Array(theta.length);
  for (let k = 0; k < members; k++) {
    const views = memberViews(theta, memberShapes, members, k);
    const outViews = memberViews(grad, memberShapes, members, k);
    tf.tidy(() => {
      const params = views.map((v, i) => tf.tensor(v, memberShapes[i]));
      const { value, grads } = tf.valueAndGrads((...ps: tf.Tensor[]) => lossOf(k, ps))(params);
      losses[k] = value.dataSync()[0];
      grads.forEach((g, i) => outViews[i].set(g.dataSync() as Float32Array));
    });
  }
  return { losses, grad };
}

/**
 * Member losses and objective gradient by TensorFlow.js autodiff of `task.loss`: the plain path
 * a task's own `lossAndGrad` is tested against, and the form of tasks that have no other.
 */
export function autodiffLossAndGrad(task: Task, theta: Float32Array, step: number): LossAndGrad {
  return tf.tidy(() => {
    const params = paramTensors(theta, task.paramShapes);
    let losses: Float32Array | undefined;
    const { grads } = tf.valueAndGrads((...ps: tf.Tensor[]) => {
      const l = task.loss(ps, step);
      losses = (l.dataSync() as Float32Array).slice();
      return task.objective === 'sum' ? l.sum() : l.mean();
    })(params);
    return { losses: losses!, grad: flatValues(grads) };
  });
}

/** d(mean member loss)/d(objective): converts objective gradients to mean-loss gradients. */
export function meanLossScale(task: Pick<Task, 'objective' | 'members'>): number {
  return task.objective === 'sum' ? 1 / task.members : 1;
}

/** The mean of the member losses. */
export function meanLoss(losses: Float32Array): number {
  let sum = 0;
  for (const l of losses) sum += l;
  return sum / losses.length;
}

/**
 * What meta-training minimizes over a horizon: Σ_t l(θt) (the paper), Σ_t log l(θt) (each
 * member's log-loss, 'log') or Σ_t log of the mean member loss ('log-mean': scale-free across
 * tasks as 'log' is, but over the members it weighs each by its loss, as the mean that
 * evaluation reports does; with one member it is 'log').
 */
export type MetaObjective = (typeof META_OBJECTIVES)[number];

/** The meta-objectives, as `--meta-objective` accepts them. */
export const META_OBJECTIVES = ['loss', 'log', 'log-mean'] as const;

/**
 * One step's term of the meta-objective from its member losses: the mean member loss ('loss'),
 * the mean member log-loss ('log') or the log of the mean member loss ('log-mean'); losses
 * floored at 1e-30, as `metaObjectiveGrad` divides.
 */
export function metaObjectiveValue(objective: MetaObjective, losses: Float32Array): number {
  if (objective === 'loss') return meanLoss(losses);
  if (objective === 'log-mean') return Math.log(Math.max(meanLoss(losses), 1e-30));
  let sum = 0;
  for (const l of losses) sum += Math.log(Math.max(l, 1e-30));
  return sum / losses.length;
}

/**
 * The gradient of the meta-objective's term at θ (a new array), in the units of the objective
 * gradient (the caller converts to the mean loss's): the objective gradient itself for 'loss';
 * for 'log-mean', all of it divided by the mean member loss (∂ log l̄ = ∇l̄ / l̄); for 'log',
 * each member's gradient entries (the first dimension of every parameter tensor indexes the
 * member) divided by its loss (∂ log l = ∇l / l).
 */
export function metaObjectiveGrad(objective: MetaObjective, task: Pick<Task, 'paramShapes'>, evaluated: LossAndGrad): Float32Array {
  const grad = evaluated.grad.slice();
  if (objective === 'loss') return grad;
  const { losses } = evaluated;
  if (objective === 'log-mean') {
    const inverse = 1 / Math.max(meanLoss(losses), 1e-30);
    for (let j = 0; j < grad.length; j++) grad[j] *= inverse;
    return grad;
  }
  const members = losses.length;
  let offset = 0;
  for (const shape of task.paramShapes) {
    const perMember = sizeOfShape(shape) / members;
    for (let k = 0; k < members; k++) {
      const inverse = 1 / Math.max(losses[k], 1e-30);
      const first = offset + k * perMember;
      for (let j = first; j < first + perMember; j++) grad[j] *= inverse;
    }
    offset += sizeOfShape(shape);
  }
  return grad;
}
