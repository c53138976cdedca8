/** Plain stochastic gradient descent: Δθ = −lr·∇ (Torch7 `optim.sgd`, default lr 1e-3). */
import { elementwiseOptimizer, type Optimizer } from './optimizer.ts';

/** SGD with learning rate `learningRate`. */
export function sgd(learningRate = 1e-3): Optimizer {
  return elementwiseOptimizer('sgd', { learningRate }, [], (_, g, __, out) => {
    for (let j = 0; j < g.length; j++) out[j] = -learningRate * g[j];
  });
}
