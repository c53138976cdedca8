/**
 * Heavy-ball momentum and Nesterov's accelerated gradient, in the form used by PyTorch and
 * `tf.train.momentum`:  v ← μ·v + ∇;  Δθ = −lr·v  (momentum)  or  Δθ = −lr·(∇ + μ·v)  (NAG).
 * Defaults follow Torch7 `optim.nag`: lr 1e-3, μ = 0.9.
 */
import * as tf from '@tensorflow/tfjs';
import { elementwiseStepper, zeroSlots, type OptState, type Optimizer, type UpdateResult } from './optimizer.ts';

/** Momentum SGD (heavy ball). */
export function momentum(learningRate = 1e-3, mu = 0.9): Optimizer {
  return makeMomentum('momentum', learningRate, mu, false);
}

/** Nesterov accelerated gradient. */
export function nag(learningRate = 1e-3, mu = 0.9): Optimizer {
  return makeMomentum('nag', learningRate, mu, true);
}

function makeMomentum(name: string, learningRate: number, mu: number, nesterov: boolean): Optimizer {
  return {
    name,
    hyperparams: { learningRate, momentum: mu },
    init: (params) => zeroSlots(params, ['v']),
    arrayStepper: (sizes) =>
      elementwiseStepper(sizes, 1, (_, g, [v], out) => {
        for (let j = 0; j < g.length; j++) {
          v[j] = mu * v[j] + g[j];
          out[j] = -learningRate * (nesterov ? g[j] + mu * v[j] : v[j]);
        }
      }),
    update(grads: tf.Tensor[], state: OptState): UpdateResult {
      return tf.tidy(() => {
        const v = grads.map((g, i) => state.slots.v[i].mul(mu).add(g));
        const updates = grads.map((g, i) =>
          (nesterov ? g.add(v[i].mul(mu)) : v[i]).mul(-learningRate),
        );
        return { updates, state: { count: state.count + 1, slots: { v } } };
      });
    },
  };
}
