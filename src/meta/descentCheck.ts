/**
 * Does a small step against the meta-gradient lower the true unrolled meta-loss?
 *
 * The paper's meta-gradient treats the gradients the optimizer sees as constants: it is exact
 * for that surrogate, not for the real unroll, where moving θ changes every later gradient and
 * so every later update. This measures the gap on one task: g = ∂L/∂φ from one `truncation`
 * over the whole horizon, then the true L(φ − ε·g/|g|) − L(φ) from plain unrolls, against the
 * first-order prediction −ε·|g|.
 */
import type { Engine } from '../engine/engine.ts';
import { learnedOptimizer } from '../learned/learnedOptimizer.ts';
import type { LstmConfig } from '../learned/lstmConfig.ts';
import { metaObjectiveValue, type MetaObjective, type Task } from '../tasks/task.ts';
import { unroll } from '../unroll/unroll.ts';
import { globalNorm } from './metaOptimizer.ts';
import { releaseOptimizee, startOptimizee, truncation } from './truncation.ts';

/** One probe along the normalized negative meta-gradient. */
export interface DescentProbe {
  epsilon: number;
  /** The true change of the meta-loss. */
  change: number;
  /** The first-order prediction −ε·|g|. */
  predicted: number;
}

/** The meta-loss of `steps` updates: the sum over s = 1..steps of `metaObjectiveValue`. */
export function unrolledMetaLoss(engine: Engine, config: LstmConfig, phi: Float32Array, task: Task, theta0: Float32Array, steps: number, objective: MetaObjective): number {
  const { losses } = unroll(task, learnedOptimizer(config, phi, engine), theta0, steps, { finalMetrics: false });
  let total = 0;
  for (let s = 1; s <= steps; s++) {
    total += metaObjectiveValue(objective, losses[s]);
  }
  return total;
}

/** |g| and the true change of the meta-loss for each ε, from θ0 and a fresh optimizer state over `steps` updates. */
export function descentCheck(
  engine: Engine,
  config: LstmConfig,
  phi: Float32Array,
  task: Task,
  theta0: Float32Array,
  steps: number,
  objective: MetaObjective,
  epsilons: number[],
): { gradNorm: number; metaLoss: number; probes: DescentProbe[] } {
  const state = startOptimizee(engine, config, theta0);
  const metaGrad = truncation(engine, { config, phi }, task, state, steps, { objective }).metaGrad!;
  releaseOptimizee(engine, state);
  const gradNorm = globalNorm(metaGrad);
  const metaLoss = unrolledMetaLoss(engine, config, phi, task, theta0, steps, objective);
  const probes = epsilons.map((epsilon) => {
    const moved = phi.map((p, i) => p - (metaGrad[i] * epsilon) / gradNorm);
    const change = unrolledMetaLoss(engine, config, moved, task, theta0, steps, objective) - metaLoss;
    return { epsilon, change, predicted: -epsilon * gradNorm };
  });
  return { gradNorm, metaLoss, probes };
}
