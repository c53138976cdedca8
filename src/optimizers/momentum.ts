/**
 * Heavy-ball momentum and Nesterov's accelerated gradient, in the form used by PyTorch and
 * `tf.train.momentum`:  v ← μ·v + ∇;  Δθ = −lr·v  (momentum)  or  Δθ = −lr·(∇ + μ·v)  (NAG).
 * Defaults follow Torch7 `optim.nag`: lr 1e-3, μ = 0.9.
 */
import { elementwiseOptimizer, type Optimizer } from './optimizer.ts';

/** Momentum SGD (heavy ball). */
export function momentum(learningRate = 1e-3, mu = 0.9): Optimizer {
  return makeMomentum('momentum', learningRate, mu, false);
}

/** Nesterov accelerated gradient. */
export function nag(learningRate = 1e-3, mu = 0.9): Optimizer {
  return makeMomentum('nag', learningRate, mu, true);
}

function makeMomentum(name: string, learningRate: number, mu: number, nesterov: boolean): Optimizer {
  return elementwiseOptimizer(name, { learningRate, momentum: mu }, ['v'], (_, g, [v], out) => {
    for (let j = 0; j < g.length; j++) {
      v[j] = mu * v[j] + g[j];
      out[j] = -learningRate * (nesterov ? g[j] + mu * v[j] : v[j]);
    }
  });
}
