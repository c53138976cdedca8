/**
 * Adagrad (Duchi et al. 2011), Torch7 `optim.adagrad`, default lr 1e-3:
 *   s ← s + ∇²;  Δθ = −lr·∇ / (√s + 1e-10).
 */
import * as tf from '@tensorflow/tfjs';
import { elementwiseStepper, zeroSlots, type OptState, type Optimizer, type UpdateResult } from './optimizer.ts';

/** Adagrad with learning rate `learningRate`. */
export function adagrad(learningRate = 1e-3, epsilon = 1e-10): Optimizer {
  return {
    name: 'adagrad',
    hyperparams: { learningRate, epsilon },
    init: (params) => zeroSlots(params, ['s']),
    arrayStepper: (sizes) =>
      elementwiseStepper(sizes, 1, (_, g, [s], out) => {
        for (let j = 0; j < g.length; j++) {
          s[j] += g[j] * g[j];
          out[j] = (-learningRate * g[j]) / (Math.sqrt(s[j]) + epsilon);
        }
      }),
    update(grads: tf.Tensor[], state: OptState): UpdateResult {
      return tf.tidy(() => {
        const s = grads.map((g, i) => state.slots.s[i].add(g.square()));
        const updates = grads.map((g, i) => g.div(s[i].sqrt().add(epsilon)).mul(-learningRate));
        return { updates, state: { count: state.count + 1, slots: { s } } };
      });
    },
  };
}
