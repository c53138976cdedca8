/**
 * Evaluation: every optimizer on the same held-out optimizees, from the same θ0 and with the
 * same minibatches; hand-designed ones first get their learning rate tuned on separate seeds.
 */
import type { TaskFamily } from '../tasks/task.ts';
import { concatRuns, curveStats, type CurveStats } from './stats.ts';
import { bestOnGrid, DEFAULT_LR_GRID, finalMeanLoss, tuningJobs, type TuningResult } from './tune.ts';
import { jobOptimizer, localRunner, type Contender, type UnrollJob, type UnrollRunner } from './unrollJob.ts';

export type { Contender } from './unrollJob.ts';

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
  /** The results.json the tuned baselines were taken from (`l2l generalize --baselines-from`); absent when computed here. */
  baselinesFrom?: string;
}

/** Tuned baselines computed earlier by the same comparison, added after the ones computed now. */
export interface ReusedBaselines {
  /** The results.json they come from. */
  from: string;
  optimizers: OptimizerResult[];
}

/** Who does the work of a comparison, and who hears of it. */
export interface CompareOptions {
  /** Runs the unroll jobs (default: this thread; `EvalPool` shares them among threads). */
  runner?: UnrollRunner;
  /** Called as each job (a tuning rate, or a chunk of test runs) finishes. */
  onJob?(done: number, total: number): void;
}

/** Default comparison settings for `runs` runs of `steps` steps. */
export function defaultCompareConfig(steps: number, runs: number, seed: number, family?: TaskFamily): CompareConfig {
  const chunkSize = Math.min(runs, family?.evaluationChunk ?? runs);
  return { steps, runs, seed, chunkSize, tuning: { grid: DEFAULT_LR_GRID, members: 128, steps } };
}

/**
 * Runs every contender on the same test optimizees and returns per-step statistics. The work is
 * a list of independent jobs (tuning, then testing) done by `runner`: this thread by default,
 * or worker threads (`evalPool.ts`); the results are the same.
 */
export async function compare(
  family: TaskFamily,
  contenders: Contender[],
  config: CompareConfig,
  onProgress: (message: string) => void = () => {},
  { runner = localRunner(), onJob }: CompareOptions = {},
): Promise<Results> {
  // Tuning optimizees come from a different seed than the test ones.
  const tuningSeed = config.seed + 1_000_003;
  const tuned = contenders.map((c, i) => ('factory' in c ? i : -1)).filter((i) => i >= 0);
  const tuningConfig = { ...config.tuning, seed: tuningSeed };
  const tuningJobList = tuned.flatMap((i) => tuningJobs(tuningConfig, i));
  const chunkCount = Math.ceil(config.runs / config.chunkSize);
  const total = tuningJobList.length + chunkCount * contenders.length;
  let done = 0;
  const onDone = () => onJob?.(++done, total);
  const tuningResults = await runner.run(family, contenders, tuningJobList, onDone);
  const tunings = new Map<number, TuningResult>();
  tuned.forEach((i, k) => {
    const results = tuningResults.slice(k * config.tuning.grid.length, (k + 1) * config.tuning.grid.length);
    const tuning = bestOnGrid(config.tuning.grid, results.map(finalMeanLoss));
    tunings.set(i, tuning);
    onProgress(`${contenders[i].name}: learning rate ${tuning.best}${tuning.onEdge ? ' (warning: on the edge of the grid)' : ''}`);
  });

  const chunks: UnrollJob[] = [];
  for (let start = 0, c = 0; start < config.runs; start += config.chunkSize, c++) {
    const members = Math.min(config.chunkSize, config.runs - start);
    chunks.push({ contender: 0, seed: config.seed, stream: `test${c}`, members, steps: config.steps, finalMetrics: true });
  }
  const testJobs = contenders.flatMap((_, i) => chunks.map((job) => ({ ...job, contender: i, learningRate: tunings.get(i)?.best })));
  const testResults = await runner.run(family, contenders, testJobs, onDone);
  const optimizers: OptimizerResult[] = contenders.map((contender, i) => {
    const results = testResults.slice(i * chunks.length, (i + 1) * chunks.length);
    const tuning = tunings.get(i);
    const finals: Record<string, number[]> = {};
    for (const result of results) for (const [metric, values] of Object.entries(result.final ?? {})) (finals[metric] ??= []).push(...values);
    const stats = curveStats(concatRuns(results.map((r) => r.losses)));
    onProgress(`${contender.name}: final mean loss ${stats.meanLoss[config.steps].toPrecision(4)}`);
    return {
      name: contender.name,
      learningRate: tuning ? tuning.best : null,
      hyperparams: jobOptimizer(contender, testJobs[i * chunks.length]).hyperparams,
      ...(tuning ? { tuning } : {}),
      ...stats,
      ...(Object.keys(finals).length ? { final: Object.fromEntries(Object.entries(finals).map(([k, v]) => [k, v.reduce((a, b) => a + b, 0) / v.length])) } : {}),
    };
  });
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
