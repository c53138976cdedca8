/**
 * Runs an optimizer on a task and records the loss curve: shared by evaluation, tuning,
 * validation and benchmarks. Index t of the curve is the loss after t updates.
 */
import * as tf from '@tensorflow/tfjs';
import type { ArrayStepper, OptState, Optimizer } from '../optimizers/optimizer.ts';
import { disposeState, step } from '../optimizers/optimizer.ts';
import { lossAndGrad, type Task } from '../tasks/task.ts';

/** The recorded loss of each member after each update. */
export interface UnrollResult {
  /** losses[t][j]: loss of member j after t updates, t = 0..steps. */
  losses: Float32Array[];
  /** The task's `finalMetrics` of the last parameters, when it has them. */
  final?: Record<string, Float32Array>;
}

/**
 * One optimizer running on one task, a step at a time: `unroll` drives it to the end, and a
 * live view (the web demo) drives it frame by frame. When the task has `flatLossAndGrad` and
 * the optimizer an `arrayStepper`, θ and the optimizer's state stay in plain arrays (the same
 * numbers up to rounding, without TensorFlow.js's cost per operation); otherwise in tensors.
 */
export class Unroller {
  /** Updates applied so far. */
  t = 0;
  private readonly steps: TensorSteps | ArraySteps;

  /** Starts `optimizer` from θ0 = `params0` (copied; the caller keeps ownership). */
  constructor(task: Task, optimizer: Optimizer, params0: tf.Tensor[]) {
    this.steps = task.flatLossAndGrad && optimizer.arrayStepper ? new ArraySteps(task, optimizer, params0) : new TensorSteps(task, optimizer, params0);
  }

  /** The loss of each member at the current parameters (step `t`); then, if `update`, one update. */
  advance(update = true): Float32Array {
    const losses = this.steps.advance(this.t, update);
    if (update) this.t++;
    return losses;
  }

  /** The task's `finalMetrics` at the current parameters, when it has them. */
  finalMetrics(): Record<string, Float32Array> | undefined {
    return this.steps.finalMetrics();
  }

  /** Frees the parameters and the optimizer state. */
  dispose(): void {
    this.steps.dispose();
  }
}

/** θ and the optimizer state as tensors. */
class TensorSteps {
  private params: tf.Tensor[];
  private state: OptState;

  constructor(
    private readonly task: Task,
    private readonly optimizer: Optimizer,
    params0: tf.Tensor[],
  ) {
    this.params = params0.map((p) => p.clone());
    this.state = optimizer.init(this.params);
  }

  advance(t: number, update: boolean): Float32Array {
    const { losses, grads } = lossAndGrad(this.task, this.params, t);
    const values = losses.dataSync() as Float32Array;
    losses.dispose();
    if (update) ({ params: this.params, state: this.state } = step(this.optimizer, this.params, grads, this.state));
    tf.dispose(grads);
    return values;
  }

  finalMetrics(): Record<string, Float32Array> | undefined {
    return this.task.finalMetrics?.(this.params);
  }

  dispose(): void {
    tf.dispose(this.params);
    disposeState(this.state);
  }
}

/** θ and the optimizer state as plain arrays (`flatLossAndGrad`, `arrayStepper`). */
class ArraySteps {
  private readonly theta: Float32Array[];
  private readonly shapes: number[][];
  private readonly stepper: ArrayStepper;

  constructor(
    private readonly task: Task,
    optimizer: Optimizer,
    params0: tf.Tensor[],
  ) {
    this.theta = params0.map((p) => (p.dataSync() as Float32Array).slice());
    this.shapes = params0.map((p) => p.shape);
    this.stepper = optimizer.arrayStepper!(this.theta.map((values) => values.length));
  }

  advance(t: number, update: boolean): Float32Array {
    const { losses, grads } = this.task.flatLossAndGrad!(this.theta, t);
    if (update) {
      const updates = this.stepper.updates(grads);
      this.theta.forEach((theta, i) => {
        const u = updates[i];
        for (let j = 0; j < theta.length; j++) theta[j] += u[j];
      });
    }
    return losses;
  }

  finalMetrics(): Record<string, Float32Array> | undefined {
    if (!this.task.finalMetrics) return undefined;
    const params = this.theta.map((values, i) => tf.tensor(values, this.shapes[i]));
    const metrics = this.task.finalMetrics(params);
    tf.dispose(params);
    return metrics;
  }

  dispose(): void {}
}

/**
 * Runs `steps` updates of `optimizer` from θ0 = `params0` (not disposed) and records losses;
 * also the task's final metrics unless `options.finalMetrics` is false.
 */
export function unroll(task: Task, optimizer: Optimizer, params0: tf.Tensor[], steps: number, options: { finalMetrics?: boolean } = {}): UnrollResult {
  const unroller = new Unroller(task, optimizer, params0);
  const losses: Float32Array[] = [];
  for (let t = 0; t <= steps; t++) losses.push(unroller.advance(t < steps));
  const final = options.finalMetrics === false ? undefined : unroller.finalMetrics();
  unroller.dispose();
  return { losses, ...(final ? { final } : {}) };
}

/** Mean over members of each step's loss. */
export function meanCurve(result: UnrollResult): number[] {
  return result.losses.map((l) => l.reduce((a, b) => a + b, 0) / l.length);
}
