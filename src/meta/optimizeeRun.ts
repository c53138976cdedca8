/**
 * The optimizee's side of a truncation as `shardedTruncation.ts` drives it: θ, the loss and
 * gradient at every step, and the learned optimizer's hand-designed base step if it has one. The
 * LSTM's updates come in and gradients go out as flat arrays (all parameter tensors one after
 * another, row-major). Two forms, equal up to rounding: on TensorFlow.js tensors (any task), and
 * on plain arrays for tasks with `flatLossAndGrad` and no base step (the quadratics; the MNIST
 * networks with the native addon), where TensorFlow.js's cost per operation would be much of the
 * step. (A base step stays on tensors: its state comes from and goes back into the tensor
 * `OptState` a truncation starts from and ends with.)
 */
import * as tf from '@tensorflow/tfjs';
import { baseOptimizer, baseStateOf } from '../learned/baseStep.ts';
import type { LstmConfig } from '../learned/lstmConfig.ts';
import { concatArrays } from '../learned/rowKernel.ts';
import { disposeState, type OptState } from '../optimizers/optimizer.ts';
import { lossAndGrad, metaObjectiveGrads, scaleByInverseLoss, type FlatLossAndGrad, type LossAndGrad, type MetaObjective, type Task } from '../tasks/task.ts';
import { joinValues } from './flatParams.ts';
import type { TruncationStart } from './metaGradient.ts';

/** One step's outcome: the mean member loss at the new θ and the meta-objective's gradient there (flat). */
export interface RunStep {
  loss: number;
  metaGrad: Float32Array;
}

/** θ moving under the learned optimizer's updates, one step at a time. */
export interface OptimizeeRun {
  /** The objective's gradient at the current θ (flat): what the LSTM reads. */
  gradient(): Float32Array;
  /**
   * θ ← θ + the LSTM's updates (+ the base step). `takeUpdates` is called after the work that
   * does not need them (the base step), so that shards still computing can finish meanwhile.
   */
  advance(takeUpdates: () => Float32Array): RunStep;
  /** θ (new tensors, the caller's, unless no step was taken) and the base step's state; call once, at the end. */
  finish(): { params: tf.Tensor[]; baseState: OptState | null };
}

/** The run from `start`: on plain arrays when the task allows it and there is no base step, else on tensors. */
export function optimizeeRun(config: LstmConfig, task: Task, start: TruncationStart, objective: MetaObjective): OptimizeeRun {
  return task.flatLossAndGrad && !config.base ? new ArrayRun(task, start, objective) : new TensorRun(config, task, start, objective);
}

/** The run on TensorFlow.js tensors; the start's θ and base state are not freed (the caller's). */
class TensorRun implements OptimizeeRun {
  private readonly base;
  private params: tf.Tensor[];
  private baseState: OptState | null;
  private evaluated: LossAndGrad;
  private step: number;
  private steps = 0;

  constructor(
    config: LstmConfig,
    private readonly task: Task,
    start: TruncationStart,
    private readonly objective: MetaObjective,
  ) {
    this.base = config.base ? baseOptimizer(config.base) : null;
    this.baseState = this.base ? baseStateOf(start.state) : null;
    this.params = start.params;
    this.step = start.step;
    this.evaluated = lossAndGrad(task, this.params, this.step);
  }

  gradient(): Float32Array {
    return joinValues(this.evaluated.grads);
  }

  advance(takeUpdates: () => Float32Array): RunStep {
    const b = this.base ? this.base.update(this.evaluated.grads, this.baseState!, this.params) : null;
    if (b) {
      if (this.steps > 0) disposeState(this.baseState!);
      this.baseState = b.state;
    }
    tf.dispose([this.evaluated.losses, ...this.evaluated.grads]);
    const updates = takeUpdates();
    let offset = 0;
    const next = this.params.map((p, i) => {
      const update = updates.subarray(offset, (offset += p.size));
      return tf.tidy(() => {
        const moved = p.add(tf.tensor(update, p.shape));
        return b ? moved.add(b.updates[i]) : moved;
      });
    });
    if (b) tf.dispose(b.updates);
    if (this.steps > 0) tf.dispose(this.params);
    this.params = next;
    this.steps++;
    this.evaluated = lossAndGrad(this.task, this.params, ++this.step);
    const loss = tf.tidy(() => this.evaluated.losses.mean().dataSync()[0]);
    const weighted = metaObjectiveGrads(this.objective, this.evaluated.grads, this.evaluated.losses);
    const metaGrad = joinValues(weighted);
    if (weighted !== this.evaluated.grads) tf.dispose(weighted);
    return { loss, metaGrad };
  }

  finish(): { params: tf.Tensor[]; baseState: OptState | null } {
    tf.dispose([this.evaluated.losses, ...this.evaluated.grads]);
    return { params: this.params, baseState: this.baseState };
  }
}

/** The run on plain arrays (`task.flatLossAndGrad`); θ becomes tensors again at the end. */
class ArrayRun implements OptimizeeRun {
  private readonly theta: Float32Array[];
  private readonly shapes: number[][];
  private evaluated: FlatLossAndGrad;
  private step: number;

  constructor(
    private readonly task: Task,
    start: TruncationStart,
    private readonly objective: MetaObjective,
  ) {
    this.theta = start.params.map((p) => (p.dataSync() as Float32Array).slice());
    this.shapes = start.params.map((p) => p.shape);
    this.step = start.step;
    this.evaluated = task.flatLossAndGrad!(this.theta, this.step);
  }

  gradient(): Float32Array {
    return concatArrays(this.evaluated.grads);
  }

  advance(takeUpdates: () => Float32Array): RunStep {
    const updates = takeUpdates();
    let offset = 0;
    for (const theta of this.theta) {
      for (let j = 0; j < theta.length; j++) theta[j] += updates[offset + j];
      offset += theta.length;
    }
    this.evaluated = this.task.flatLossAndGrad!(this.theta, ++this.step);
    const { losses, grads } = this.evaluated;
    let sum = 0;
    for (const l of losses) sum += l;
    const weighted = this.objective === 'loss' ? grads : grads.map((g) => g.slice());
    scaleByInverseLoss(this.objective, weighted, losses);
    return { loss: sum / losses.length, metaGrad: concatArrays(weighted) };
  }

  finish(): { params: tf.Tensor[]; baseState: OptState | null } {
    return { params: this.theta.map((values, i) => tf.tensor(values, this.shapes[i])), baseState: null };
  }
}
