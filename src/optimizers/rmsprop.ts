/**
 * RMSprop (Tieleman & Hinton 2012), Torch7 `optim.rmsprop`:
 *   m ← α·m + (1−α)·∇²;  Δθ = −lr·∇ / (√m + ε),  defaults lr 1e-2, α = 0.99, ε = 1e-8.
 */
import { elementwiseOptimizer, type Optimizer } from './optimizer.ts';

/** RMSprop with learning rate `learningRate`. */
export function rmsprop(learningRate = 1e-2, alpha = 0.99, epsilon = 1e-8): Optimizer {
  return elementwiseOptimizer('rmsprop', { learningRate, alpha, epsilon }, ['m'], (_, g, [m], out) => {
    for (let j = 0; j < g.length; j++) {
      m[j] = alpha * m[j] + (1 - alpha) * g[j] * g[j];
      out[j] = (-learningRate * g[j]) / (Math.sqrt(m[j]) + epsilon);
    }
  });
}
