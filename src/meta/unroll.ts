/**
 * Runs an optimizer on a task and records the loss curve: shared by evaluation, tuning,
 * validation and benchmarks. Index t of the curve is the loss after t updates.
 */
import * as tf from '@tensorflow/tfjs';
import type { Optimizer } from '../optimizers/optimizer.ts';
import { disposeState, step } from '../optimizers/optimizer.ts';
import { lossAndGrad, type Task } from '../tasks/task.ts';

/** The recorded loss of each member after each update. */
export interface UnrollResult {
  /** losses[t][j]: loss of member j after t updates, t = 0..steps. */
  losses: Float32Array[];
  /** The task's `finalMetrics` of the last parameters, when it has them. */
  final?: Record<string, Float32Array>;
}

/** Runs `steps` updates of `optimizer` from θ0 = `params0` (not disposed) and records losses. */
export function unroll(task: Task, optimizer: Optimizer, params0: tf.Tensor[], steps: number): UnrollResult {
  let params = params0.map((p) => p.clone());
  let state = optimizer.init(params);
  const losses: Float32Array[] = [];
  for (let t = 0; t <= steps; t++) {
    const { losses: l, grads } = lossAndGrad(task, params, t);
    losses.push(l.dataSync() as Float32Array);
    l.dispose();
    if (t < steps) ({ params, state } = step(optimizer, params, grads, state));
    tf.dispose(grads);
  }
  const final = task.finalMetrics?.(params);
  tf.dispose(params);
  disposeState(state);
  return { losses, ...(final ? { final } : {}) };
}

/** Mean over members of each step's loss. */
export function meanCurve(result: UnrollResult): number[] {
  return result.losses.map((l) => l.reduce((a, b) => a + b, 0) / l.length);
}
