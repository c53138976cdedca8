/**
 * Evaluation: every optimizer on the same held-out optimizees, from the same θ0 and with the
 * same minibatches; hand-designed ones first get their learning rate tuned on separate seeds.
 */
import * as tf from '@tensorflow/tfjs';
import type { Optimizer, OptimizerFactory } from '../optimizers/optimizer.ts';
import { Rng } from '../random/rng.ts';
import type { TaskFamily } from '../tasks/task.ts';
import { unroll } from '../meta/unroll.ts';
import { concatRuns, curveStats, type CurveStats } from './stats.ts';
import { DEFAULT_LR_GRID, tuneLearningRate, type TuningResult } from './tune.ts';

/** An optimizer to compare: fixed (the learned one) or tuned over learning rates. */
export type Contender = { name: string; optimizer: Optimizer } | { name: string; factory: OptimizerFactory };

/** Settings of a comparison. */
export interface CompareConfig {
  steps: number;
  runs: number;
  seed: number;
  /** Optimizees evaluated together in one batched task (bounded by memory). */
  chunkSize: number;
  tuning: { grid: number[]; members: number; steps: number };
}

/** One optimizer's results. */
export interface OptimizerResult extends CurveStats {
  name: string;
  learningRate: number | null;
  hyperparams: Record<string, unknown>;
  tuning?: TuningResult;
  /** Means over runs of the task's final metrics (e.g. full test-set loss and accuracy). */
  final?: Record<string, number>;
}

/** The contents of results.json. */
export interface Results {
  task: string;
  taskConfig: Record<string, unknown>;
  steps: number;
  runs: number;
  seed: number;
  tuningSeed: number;
  optimizers: OptimizerResult[];
}

/** Default comparison settings for `runs` runs of `steps` steps. */
export function defaultCompareConfig(steps: number, runs: number, seed: number, family?: TaskFamily): CompareConfig {
  const chunkSize = Math.min(runs, family?.evaluationChunk ?? runs);
  return { steps, runs, seed, chunkSize, tuning: { grid: DEFAULT_LR_GRID, members: 128, steps } };
}

/** Runs every contender on the same test optimizees and returns per-step statistics. */
export function compare(
  family: TaskFamily,
  contenders: Contender[],
  config: CompareConfig,
  onProgress: (message: string) => void = () => {},
): Results {
  // Tuning optimizees come from a different seed than the test ones.
  const tuningSeed = config.seed + 1_000_003;
  const optimizers: OptimizerResult[] = [];
  for (const contender of contenders) {
    let optimizer: Optimizer;
    let tuning: TuningResult | undefined;
    if ('factory' in contender) {
      tuning = tuneLearningRate(family, contender.factory, { ...config.tuning, seed: tuningSeed });
      optimizer = contender.factory(tuning.best);
      onProgress(`${contender.name}: learning rate ${tuning.best}${tuning.onEdge ? ' (warning: on the edge of the grid)' : ''}`);
    } else {
      optimizer = contender.optimizer;
    }
    const chunks: Float32Array[][] = [];
    const finals: Record<string, number[]> = {};
    for (let start = 0, c = 0; start < config.runs; start += config.chunkSize, c++) {
      const rng = new Rng(config.seed).child(`test${c}`);
      const task = family.sample(rng.child('task'), Math.min(config.chunkSize, config.runs - start));
      const theta0 = task.init(rng.child('init'));
      const result = unroll(task, optimizer, theta0, config.steps);
      chunks.push(result.losses);
      for (const [metric, values] of Object.entries(result.final ?? {})) (finals[metric] ??= []).push(...values);
      tf.dispose(theta0);
      task.dispose?.();
    }
    const stats = curveStats(concatRuns(chunks));
    onProgress(`${contender.name}: final mean loss ${stats.meanLoss[config.steps].toPrecision(4)}`);
    optimizers.push({
      name: contender.name,
      learningRate: tuning ? tuning.best : null,
      hyperparams: optimizer.hyperparams,
      ...(tuning ? { tuning } : {}),
      ...stats,
      ...(Object.keys(finals).length ? { final: Object.fromEntries(Object.entries(finals).map(([k, v]) => [k, v.reduce((a, b) => a + b, 0) / v.length])) } : {}),
    });
  }
  return {
    task: family.name,
    taskConfig: family.config,
    steps: config.steps,
    runs: config.runs,
    seed: config.seed,
    tuningSeed,
    optimizers,
  };
}
