/**
 * Adagrad (Duchi et al. 2011), Torch7 `optim.adagrad`, default lr 1e-3:
 *   s ← s + ∇²;  Δθ = −lr·∇ / (√s + 1e-10).
 */
import { elementwiseOptimizer, type Optimizer } from './optimizer.ts';

/** Adagrad with learning rate `learningRate`. */
export function adagrad(learningRate = 1e-3, epsilon = 1e-10): Optimizer {
  return elementwiseOptimizer('adagrad', { learningRate, epsilon }, ['s'], (_, g, [s], out) => {
    for (let j = 0; j < g.length; j++) {
      s[j] += g[j] * g[j];
      out[j] = (-learningRate * g[j]) / (Math.sqrt(s[j]) + epsilon);
    }
  });
}
