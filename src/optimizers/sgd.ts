/** Plain stochastic gradient descent: Δθ = −lr·∇ (Torch7 `optim.sgd`, default lr 1e-3). */
import * as tf from '@tensorflow/tfjs';
import type { OptState, Optimizer, UpdateResult } from './optimizer.ts';

/** SGD with learning rate `learningRate`. */
export function sgd(learningRate = 1e-3): Optimizer {
  return {
    name: 'sgd',
    hyperparams: { learningRate },
    init: () => ({ count: 0, slots: {} }),
    update(grads: tf.Tensor[], state: OptState): UpdateResult {
      return tf.tidy(() => ({
        updates: grads.map((g) => g.mul(-learningRate)),
        state: { count: state.count + 1, slots: {} },
      }));
    },
  };
}
