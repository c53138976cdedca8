/** Plain stochastic gradient descent: Δθ = −lr·∇ (Torch7 `optim.sgd`, default lr 1e-3). */
import * as tf from '@tensorflow/tfjs';
import { elementwiseStepper, type OptState, type Optimizer, type UpdateResult } from './optimizer.ts';

/** SGD with learning rate `learningRate`. */
export function sgd(learningRate = 1e-3): Optimizer {
  return {
    name: 'sgd',
    hyperparams: { learningRate },
    init: () => ({ count: 0, slots: {} }),
    arrayStepper: (sizes) =>
      elementwiseStepper(sizes, 0, (_, g, __, out) => {
        for (let j = 0; j < g.length; j++) out[j] = -learningRate * g[j];
      }),
    update(grads: tf.Tensor[], state: OptState): UpdateResult {
      return tf.tidy(() => ({
        updates: grads.map((g) => g.mul(-learningRate)),
        state: { count: state.count + 1, slots: {} },
      }));
    },
  };
}
