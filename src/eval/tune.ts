/**
 * Learning-rate tuning for hand-designed optimizers: every rate on a grid is run on the same
 * tuning optimizees (separate from the test ones); the best final mean loss wins.
 */
import type { OptimizerFactory } from '../optimizers/optimizer.ts';
import type { TaskFamily } from '../tasks/task.ts';
import { meanCurve, type UnrollResult } from '../unroll/unroll.ts';
import { runUnrollJob, type UnrollJob } from './unrollJob.ts';

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

/** Picks the learning rate with the lowest final mean loss on the tuning optimizees (in this thread). */
export function tuneLearningRate(family: TaskFamily, factory: OptimizerFactory, config: TuningConfig): TuningResult {
  const finalLoss = tuningJobs(config, 0).map((job) => finalMeanLoss(runUnrollJob(family, factory(job.learningRate!), job)));
  return bestOnGrid(config.grid, finalLoss);
}

/** One job per grid rate, all on the same tuning optimizees (stream 'tuning' of the seed). */
export function tuningJobs(config: TuningConfig, contender: number): UnrollJob[] {
  return config.grid.map((learningRate) => ({ contender, learningRate, seed: config.seed, stream: 'tuning', members: config.members, steps: config.steps, finalMetrics: false }));
}

/** The mean loss over members after the last step. */
export function finalMeanLoss(result: UnrollResult): number {
  const curve = meanCurve(result);
  return curve[curve.length - 1];
}

/** The tuning outcome from each grid rate's final mean loss (non-finite counts as +Inf). */
export function bestOnGrid(grid: number[], finalLoss: number[]): TuningResult {
  const losses = finalLoss.map((loss) => (Number.isFinite(loss) ? loss : Infinity));
  let bestIndex = 0;
  losses.forEach((loss, i) => {
    if (loss < losses[bestIndex]) bestIndex = i;
  });
  return {
    grid,
    finalLoss: losses,
    best: grid[bestIndex],
    onEdge: bestIndex === 0 || bestIndex === grid.length - 1,
  };
}
