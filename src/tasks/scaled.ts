/**
 * Random scaling of a task's coordinates (Lv et al. 2017, RNNprop): f(c ⊙ x) with a fixed scale
 * c = e^u, u ~ U(−s, s), per coordinate. The optimizer works on x, starting at x0 = θ0 / c (the
 * same function value as θ0), and sees the gradient c ⊙ ∇f(c ⊙ x), so a learned optimizer
 * meta-trained on scaled tasks cannot rely on the gradients' absolute size. Meta-training uses it
 * on training tasks only; validation and evaluation see tasks as they are.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../random/rng.ts';
import { numCoordinates, paramTensors, type LossAndGrad, type Task } from './task.ts';

/** `task` with its coordinates scaled by e^U(−s, s), drawn from `rng`. */
export function scaledTask(task: Task, rng: Rng, s: number): Task {
  const u = rng.uniformArray(numCoordinates(task), -s, s);
  const c = u.map(Math.exp);
  const scale = (x: Float32Array) => x.map((v, j) => v * c[j]);
  return {
    members: task.members,
    objective: task.objective,
    paramShapes: task.paramShapes,
    init: (r) => task.init(r).map((v, j) => v / c[j]),
    lossAndGrad(x: Float32Array, step: number): LossAndGrad {
      const { losses, grad } = task.lossAndGrad(scale(x), step);
      return { losses, grad: scale(grad) };
    },
    loss(params: tf.Tensor[], step: number): tf.Tensor1D {
      return tf.tidy(() => {
        const factors = paramTensors(c, task.paramShapes);
        return task.loss(params.map((p, i) => p.mul(factors[i])), step);
      });
    },
    ...(task.finalMetrics ? { finalMetrics: (x: Float32Array) => task.finalMetrics!(scale(x)) } : {}),
    dispose: () => task.dispose?.(),
  };
}
