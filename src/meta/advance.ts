/**
 * A truncation's forward pass alone: the optimizee and the optimizer's state advance exactly as
 * in `truncatedMetaGradient` (same minibatches, same losses), with no meta-gradient. Used for
 * the part of a horizon that `updateFromStep` leaves out of meta-training.
 */
import * as tf from '@tensorflow/tfjs';
import { step, type Optimizer } from '../optimizers/optimizer.ts';
import { lossAndGrad, type Task } from '../tasks/task.ts';
import type { TruncationStart } from './metaGradient.ts';

/**
 * Runs `optimizer` for `steps` updates from `start` without a meta-gradient, as a truncation
 * would (same minibatches, same losses appended); returns where the next truncation starts.
 * Takes ownership of `start`'s tensors.
 */
export function advanceTruncation(task: Task, optimizer: Optimizer, start: TruncationStart, steps: number, losses: number[]): TruncationStart {
  let { params, state } = start;
  const first = lossAndGrad(task, params, start.step);
  first.losses.dispose();
  let grads = first.grads;
  for (let t = 0; t < steps; t++) {
    ({ params, state } = step(optimizer, params, grads, state));
    tf.dispose(grads);
    // One evaluation per step: its loss is recorded, its gradient drives the next update.
    const evaluated = lossAndGrad(task, params, start.step + t + 1);
    losses.push(tf.tidy(() => evaluated.losses.mean().dataSync()[0]));
    evaluated.losses.dispose();
    grads = evaluated.grads;
  }
  tf.dispose(grads);
  return { params, state, step: start.step + steps };
}
