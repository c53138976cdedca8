/**
 * Adam (Kingma & Ba 2015), Torch7 `optim.adam`, defaults lr 1e-3, β1 = 0.9, β2 = 0.999, ε = 1e-8:
 *   m ← β1·m + (1−β1)·∇;  v ← β2·v + (1−β2)·∇²;  Δθ = −lr·m̂ / (√v̂ + ε),
 * with bias corrections m̂ = m/(1−β1ᵗ), v̂ = v/(1−β2ᵗ).
 */
import { elementwiseOptimizer, type ElementwiseRule, type Optimizer } from './optimizer.ts';

/** Adam with learning rate `learningRate`. */
export function adam(learningRate = 1e-3, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8): Optimizer {
  return elementwiseOptimizer('adam', { learningRate, beta1, beta2, epsilon }, ['m', 'v'], adamRule(learningRate, beta1, beta2, epsilon));
}

/** Adam's step on plain arrays (slots m, v); also the meta-optimizer's (`meta/metaOptimizer.ts`). */
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
