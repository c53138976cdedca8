/**
 * Adam (Kingma & Ba 2015), Torch7 `optim.adam`, defaults lr 1e-3, β1 = 0.9, β2 = 0.999, ε = 1e-8:
 *   m ← β1·m + (1−β1)·∇;  v ← β2·v + (1−β2)·∇²;  Δθ = −lr·m̂ / (√v̂ + ε),
 * with bias corrections m̂ = m/(1−β1ᵗ), v̂ = v/(1−β2ᵗ).
 */
import * as tf from '@tensorflow/tfjs';
import { elementwiseStepper, zeroSlots, type ElementwiseRule, type OptState, type Optimizer, type UpdateResult } from './optimizer.ts';

/** Adam with learning rate `learningRate`. */
export function adam(learningRate = 1e-3, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8): Optimizer {
  return {
    name: 'adam',
    hyperparams: { learningRate, beta1, beta2, epsilon },
    init: (params) => zeroSlots(params, ['m', 'v']),
    arrayStepper: (sizes) => elementwiseStepper(sizes, 2, adamRule(learningRate, beta1, beta2, epsilon)),
    update(grads: tf.Tensor[], state: OptState): UpdateResult {
      const t = state.count + 1;
      const mHatScale = 1 / (1 - beta1 ** t);
      const vHatScale = 1 / (1 - beta2 ** t);
      return tf.tidy(() => {
        const m = grads.map((g, i) => state.slots.m[i].mul(beta1).add(g.mul(1 - beta1)));
        const v = grads.map((g, i) => state.slots.v[i].mul(beta2).add(g.square().mul(1 - beta2)));
        const updates = grads.map((_, i) =>
          m[i].mul(mHatScale).div(v[i].mul(vHatScale).sqrt().add(epsilon)).mul(-learningRate),
        );
        return { updates, state: { count: t, slots: { m, v } } };
      });
    },
  };
}

/** Adam's step on plain arrays (slots m, v), for `elementwiseStepper` and the meta-optimizer. */
export function adamRule(learningRate = 1e-3, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8): ElementwiseRule {
  return (t, g, [m, v], out) => {
    const mHatScale = 1 / (1 - beta1 ** t);
    const vHatScale = 1 / (1 - beta2 ** t);
    for (let j = 0; j < g.length; j++) {
      m[j] = beta1 * m[j] + (1 - beta1) * g[j];
      v[j] = beta2 * v[j] + (1 - beta2) * g[j] * g[j];
      out[j] = (-learningRate * (m[j] * mHatScale)) / (Math.sqrt(v[j] * vHatScale) + epsilon);
    }
  };
}
