/**
 * RMSprop (Tieleman & Hinton 2012), Torch7 `optim.rmsprop`:
 *   m ← α·m + (1−α)·∇²;  Δθ = −lr·∇ / (√m + ε),  defaults lr 1e-2, α = 0.99, ε = 1e-8.
 */
import * as tf from '@tensorflow/tfjs';
import { elementwiseStepper, zeroSlots, type OptState, type Optimizer, type UpdateResult } from './optimizer.ts';

/** RMSprop with learning rate `learningRate`. */
export function rmsprop(learningRate = 1e-2, alpha = 0.99, epsilon = 1e-8): Optimizer {
  return {
    name: 'rmsprop',
    hyperparams: { learningRate, alpha, epsilon },
    init: (params) => zeroSlots(params, ['m']),
    arrayStepper: (sizes) =>
      elementwiseStepper(sizes, 1, (_, g, [m], out) => {
        for (let j = 0; j < g.length; j++) {
          m[j] = alpha * m[j] + (1 - alpha) * g[j] * g[j];
          out[j] = (-learningRate * g[j]) / (Math.sqrt(m[j]) + epsilon);
        }
      }),
    update(grads: tf.Tensor[], state: OptState): UpdateResult {
      return tf.tidy(() => {
        const m = grads.map((g, i) => state.slots.m[i].mul(alpha).add(g.square().mul(1 - alpha)));
        const updates = grads.map((g, i) => g.div(m[i].sqrt().add(epsilon)).mul(-learningRate));
        return { updates, state: { count: state.count + 1, slots: { m } } };
      });
    },
  };
}
