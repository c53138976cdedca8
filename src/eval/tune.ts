/**
 * Learning-rate tuning for hand-designed optimizers: every rate on a grid is run on the same
 * tuning optimizees (separate from the test ones); the best final mean loss wins.
 */
import * as tf from '@tensorflow/tfjs';
import type { OptimizerFactory } from '../optimizers/optimizer.ts';
import { Rng } from '../random/rng.ts';
import type { TaskFamily } from '../tasks/task.ts';
import { meanCurve, unroll } from '../meta/unroll.ts';

/** The default grid {1e-4, 3e-4, 1e-3, …, 1, 3}. */
export const DEFAULT_LR_GRID = [1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1, 3e-1, 1, 3];

/** How a learning rate was chosen. */
export interface TuningResult {
  grid: number[];
  /** Final mean loss for each rate of the grid (Infinity when it diverged). */
  finalLoss: number[];
  best: number;
  /** True when the best rate is the smallest or largest of the grid. */
  onEdge: boolean;
}

/** Settings of a tuning run. */
export interface TuningConfig {
  grid: number[];
  steps: number;
  members: number;
  seed: number;
}

/** Picks the learning rate with the lowest final mean loss on the tuning optimizees. */
export function tuneLearningRate(family: TaskFamily, factory: OptimizerFactory, config: TuningConfig): TuningResult {
  const rng = new Rng(config.seed).child('tuning');
  const task = family.sample(rng.child('task'), config.members);
  const theta0 = task.init(rng.child('init'));
  const finalLoss = config.grid.map((lr) => {
    const curve = meanCurve(unroll(task, factory(lr), theta0, config.steps));
    const last = curve[curve.length - 1];
    return Number.isFinite(last) ? last : Infinity;
  });
  tf.dispose(theta0);
  task.dispose?.();
  let bestIndex = 0;
  finalLoss.forEach((loss, i) => {
    if (loss < finalLoss[bestIndex]) bestIndex = i;
  });
  return {
    grid: config.grid,
    finalLoss,
    best: config.grid[bestIndex],
    onEdge: bestIndex === 0 || bestIndex === config.grid.length - 1,
  };
}
