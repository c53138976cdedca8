/**
 * Does a small step against the meta-gradient lower the true unrolled meta-loss?
 *
 * The paper's meta-gradient treats the gradients the optimizer sees as constants: it is exact
 * for that surrogate, not for the real unroll, where moving θ changes every later gradient and
 * so every later update. This measures the gap on one task: g = ∂L/∂φ from
 * `truncatedMetaGradient` over the whole horizon, then the true L(φ − ε·g/|g|) − L(φ) from plain
 * unrolls, against the first-order prediction −ε·|g|.
 */
import * as tf from '@tensorflow/tfjs';
import { metaParamsFromList, type LstmConfig } from '../learned/lstmConfig.ts';
import { lstmOptimizer } from '../learned/lstmOptimizer.ts';
import type { MetaObjective, Task } from '../tasks/task.ts';
import { truncatedMetaGradient } from './metaGradient.ts';
import { unroll } from './unroll.ts';

/** One probe along the normalized negative meta-gradient. */
export interface DescentProbe {
  epsilon: number;
  /** The true change of the meta-loss. */
  change: number;
  /** The first-order prediction −ε·|g|. */
  predicted: number;
}

/** The meta-loss of `steps` updates: Σ_s l(θs) or Σ_s log l(θs) over s = 1..steps, member mean. */
export function unrolledMetaLoss(config: LstmConfig, phi: tf.Tensor[], task: Task, theta0: tf.Tensor[], steps: number, objective: MetaObjective): number {
  const { losses } = unroll(task, lstmOptimizer(config, metaParamsFromList(config, phi)), theta0, steps);
  let total = 0;
  for (let s = 1; s <= steps; s++) {
    const members = losses[s];
    let sum = 0;
    for (const l of members) sum += objective === 'log' ? Math.log(Math.max(l, 1e-30)) : l;
    total += sum / members.length;
  }
  return total;
}

/**
 * |g| and the true change of the meta-loss for each ε, from θ0 (not disposed) and a fresh
 * optimizer state over `steps` updates.
 */
export function descentCheck(
  config: LstmConfig,
  phi: tf.Tensor[],
  task: Task,
  theta0: tf.Tensor[],
  steps: number,
  objective: MetaObjective,
  epsilons: number[],
): { gradNorm: number; metaLoss: number; probes: DescentProbe[] } {
  const state = lstmOptimizer(config, metaParamsFromList(config, phi)).init(theta0);
  const { metaGrads, next } = truncatedMetaGradient(config, phi, task, { params: theta0, state, step: 0 }, steps, objective);
  tf.dispose([...Object.values(state.slots).flat(), ...next.params, ...Object.values(next.state.slots).flat()]);
  const gradNorm = Math.sqrt(metaGrads.reduce((s, g) => s + tf.tidy(() => g.square().sum().dataSync()[0]), 0));
  const metaLoss = unrolledMetaLoss(config, phi, task, theta0, steps, objective);
  const probes = epsilons.map((epsilon) => {
    const moved = phi.map((p, i) => tf.tidy(() => p.sub(metaGrads[i].mul(epsilon / gradNorm))));
    const change = unrolledMetaLoss(config, moved, task, theta0, steps, objective) - metaLoss;
    tf.dispose(moved);
    return { epsilon, change, predicted: -epsilon * gradNorm };
  });
  tf.dispose(metaGrads);
  return { gradNorm, metaLoss, probes };
}
