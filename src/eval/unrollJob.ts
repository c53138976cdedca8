/**
 * The unit of evaluation work: one optimizer on one batch of optimizees drawn from a seed. A
 * comparison is a list of such jobs (tuning: one per learning rate; testing: one per chunk of
 * runs); they are independent, so a runner may do them in this thread one after the other or
 * hand them to worker threads (`evalPool.ts`) — the numbers are the same either way.
 */
import * as tf from '@tensorflow/tfjs';
import { lstmOptimizer } from '../learned/lstmOptimizer.ts';
import { metaParamShapes, type LstmConfig, type MetaParams } from '../learned/lstmConfig.ts';
import type { Optimizer, OptimizerFactory } from '../optimizers/optimizer.ts';
import { HAND_DESIGNED } from '../optimizers/registry.ts';
import { Rng } from '../random/rng.ts';
import type { TaskFamily } from '../tasks/task.ts';
import { unroll, type UnrollResult } from '../meta/unroll.ts';

/** What a worker thread needs to build an optimizer: a hand-designed one by name, or an LSTM's φ. */
export type OptimizerSpec =
  | { kind: 'hand-designed'; name: string }
  | { kind: 'lstm'; config: LstmConfig; phi: Float32Array[] };

/**
 * An optimizer to compare: fixed (the learned one) or tuned over learning rates. With a `spec`
 * it can also run on worker threads; without one (a custom optimizer) it runs in this thread.
 */
export type Contender =
  | { name: string; optimizer: Optimizer; spec?: OptimizerSpec }
  | { name: string; factory: OptimizerFactory; spec?: OptimizerSpec };

/** One optimizer on `members` optimizees drawn from `new Rng(seed).child(stream)`, for `steps` steps. */
export interface UnrollJob {
  /** Index into the contenders. */
  contender: number;
  /** The learning rate of a tuned contender. */
  learningRate?: number;
  seed: number;
  stream: string;
  members: number;
  steps: number;
  /** Also compute the task's final metrics (full test-set loss and accuracy); tuning does not need them. */
  finalMetrics: boolean;
}

/** Runs jobs and returns their results in order; `onDone` hears of each job as it finishes. */
export interface UnrollRunner {
  run(family: TaskFamily, contenders: Contender[], jobs: UnrollJob[], onDone?: () => void): Promise<UnrollResult[]>;
}

/** A hand-designed contender by its registry name (tuned, and able to run on workers). */
export function handDesignedContender(name: string): Contender {
  const factory = HAND_DESIGNED[name];
  if (!factory) throw new Error(`unknown hand-designed optimizer '${name}'`);
  return { name, factory, spec: { kind: 'hand-designed', name } };
}

/** A learned LSTM contender for φ (not copied: the caller keeps it alive while comparing). */
export function lstmContender(name: string, config: LstmConfig, phi: MetaParams): Contender {
  const values = metaParamShapes(config).map(([key]) => phi[key].dataSync() as Float32Array);
  return { name, optimizer: lstmOptimizer(config, phi), spec: { kind: 'lstm', config, phi: values } };
}

/** Runs one job with `optimizer` in this thread. */
export function runUnrollJob(family: TaskFamily, optimizer: Optimizer, job: UnrollJob): UnrollResult {
  const rng = new Rng(job.seed).child(job.stream);
  const task = family.sample(rng.child('task'), job.members);
  const theta0 = task.init(rng.child('init'));
  try {
    const result = unroll(task, optimizer, theta0, job.steps, { finalMetrics: job.finalMetrics });
    return result;
  } finally {
    tf.dispose(theta0);
    task.dispose?.();
  }
}

/** The optimizer a job runs: the fixed one, or the tuned one at the job's learning rate. */
export function jobOptimizer(contender: Contender, job: UnrollJob): Optimizer {
  if ('optimizer' in contender) return contender.optimizer;
  if (job.learningRate === undefined) throw new Error(`job for '${contender.name}' has no learning rate`);
  return contender.factory(job.learningRate);
}

/** Builds an optimizer from its spec; `dispose` frees what it allocated (φ). */
export function optimizerFromSpec(spec: OptimizerSpec, learningRate?: number): { optimizer: Optimizer; dispose(): void } {
  if (spec.kind === 'hand-designed') {
    const factory = HAND_DESIGNED[spec.name];
    if (!factory || learningRate === undefined) throw new Error(`cannot build '${spec.name}' at learning rate ${learningRate}`);
    return { optimizer: factory(learningRate), dispose() {} };
  }
  const phi: MetaParams = Object.fromEntries(metaParamShapes(spec.config).map(([name, shape], i) => [name, tf.tensor(spec.phi[i], shape)]));
  return { optimizer: lstmOptimizer(spec.config, phi), dispose: () => tf.dispose(Object.values(phi)) };
}

/** Runs every job here, one after the other. */
export const localRunner: UnrollRunner = {
  async run(family, contenders, jobs, onDone) {
    return jobs.map((job) => {
      const result = runUnrollJob(family, jobOptimizer(contenders[job.contender], job), job);
      onDone?.();
      return result;
    });
  },
};
