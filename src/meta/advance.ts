/**
 * A truncation's forward pass alone: the optimizee and the optimizer's state advance exactly as
 * in `truncatedMetaGradient` (same minibatches, same losses), with no meta-gradient. Used for
 * the part of a horizon that `updateFromStep` leaves out of meta-training.
 */
import * as tf from '@tensorflow/tfjs';
import { disposeState, type Optimizer } from '../optimizers/optimizer.ts';
import { lossAndGrad, type Task } from '../tasks/task.ts';
import type { TruncationStart } from './metaGradient.ts';

/**
 * Runs `optimizer` for `steps` updates from `start` without a meta-gradient, as a truncation
 * would (same minibatches, same losses appended); returns where the next truncation starts (new
 * tensors; `start` is left to the caller).
 */
export function advanceTruncation(task: Task, optimizer: Optimizer, start: TruncationStart, steps: number, losses: number[]): TruncationStart {
  let params = start.params;
  let state = start.state;
  const first = lossAndGrad(task, params, start.step);
  first.losses.dispose();
  let grads = first.grads;
  for (let t = 0; t < steps; t++) {
    const next = tf.tidy(() => {
      const result = optimizer.update(grads, state, params);
      return { params: params.map((p, i) => p.add(result.updates[i])), state: result.state };
    });
    tf.dispose(grads);
    if (t > 0) {
      tf.dispose(params);
      disposeState(state);
    }
    ({ params, state } = next);
    const evaluated = lossAndGrad(task, params, start.step + t + 1);
    losses.push(tf.tidy(() => evaluated.losses.mean().dataSync()[0]));
    evaluated.losses.dispose();
    grads = evaluated.grads;
  }
  tf.dispose(grads);
  return { params, state, step: start.step + steps };
}
