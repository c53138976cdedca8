/**
 * Runs an optimizer on a task and records the loss curve: shared by evaluation, tuning,
 * validation, the web demo and benchmarks. Index t of the curve is the loss after t updates.
 * θ and the optimizer's state are flat arrays (`optimizers/optimizer.ts`), whatever the engine.
 */
import { applyUpdates, type Optimizer } from '../optimizers/optimizer.ts';
import type { Task } from '../tasks/task.ts';

/** The recorded loss of each member after each update. */
export interface UnrollResult {
  /** losses[t][j]: loss of member j after t updates, t = 0..steps. */
  losses: Float32Array[];
  /** The task's `finalMetrics` of the last parameters, when it has them. */
  final?: Record<string, Float32Array>;
}

/**
 * One optimizer running on one task, a step at a time: `unroll` drives it to the end, and a
 * live view (the web demo) drives it frame by frame.
 */
export class Unroller {
  /** Updates applied so far. */
  t = 0;
  /** The current parameters (flat; read-only for callers). */
  readonly theta: Float32Array;
  private readonly state: unknown;

  /** Starts `optimizer` from θ0 = `theta0` (copied). */
  constructor(
    private readonly task: Task,
    private readonly optimizer: Optimizer,
    theta0: Float32Array,
  ) {
    this.theta = theta0.slice();
    this.state = optimizer.init(theta0.length);
  }

  /** The loss of each member at the current parameters (step `t`); then, if `update`, one update. */
  advance(update = true): Float32Array {
    const { losses, grad } = this.task.lossAndGrad(this.theta, this.t);
    if (update) {
      applyUpdates(this.theta, this.optimizer.update(grad, this.state, this.theta));
      this.t++;
    }
    return losses;
  }

  /** The task's `finalMetrics` at the current parameters, when it has them. */
  finalMetrics(): Record<string, Float32Array> | undefined {
    return this.task.finalMetrics?.(this.theta);
  }

  /** Frees the optimizer state. */
  dispose(): void {
    this.optimizer.dispose(this.state);
  }
}

/**
 * Runs `steps` updates of `optimizer` from θ0 = `theta0` (not changed) and records losses;
 * also the task's final metrics unless `options.finalMetrics` is false.
 */
export function unroll(task: Task, optimizer: Optimizer, theta0: Float32Array, steps: number, options: { finalMetrics?: boolean } = {}): UnrollResult {
  const unroller = new Unroller(task, optimizer, theta0);
  try {
    const losses: Float32Array[] = [];
    for (let t = 0; t <= steps; t++) losses.push(unroller.advance(t < steps));
    const final = options.finalMetrics === false ? undefined : unroller.finalMetrics();
    return { losses, ...(final ? { final } : {}) };
  } finally {
    unroller.dispose();
  }
}

/** Mean over members of each step's loss. */
export function meanCurve(result: UnrollResult): number[] {
  return result.losses.map((l) => l.reduce((a, b) => a + b, 0) / l.length);
}
