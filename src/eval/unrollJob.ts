/**
 * The unit of evaluation work: one optimizer on one batch of optimizees drawn from a seed. A
 * comparison is a list of such jobs (tuning: one per learning rate; testing: one per chunk of
 * runs); they are independent, so a runner may do them in this thread one after the other or
 * hand them to worker threads (`evalPool.ts`) — the numbers are the same either way.
 */
import type { Engine } from '../engine/engine.ts';
import { learnedOptimizer } from '../learned/learnedOptimizer.ts';
import type { LstmConfig } from '../learned/lstmConfig.ts';
import type { Optimizer, OptimizerFactory } from '../optimizers/optimizer.ts';
import { HAND_DESIGNED } from '../optimizers/registry.ts';
import { Rng } from '../random/rng.ts';
import type { TaskFamily } from '../tasks/task.ts';
import { unroll, type UnrollResult } from '../unroll/unroll.ts';

/** What any thread needs to build an optimizer: a hand-designed one by name, or a learned one's φ. */
export type OptimizerSpec =
  | { kind: 'hand-designed'; name: string }
  | { kind: 'lstm'; config: LstmConfig; phi: Float32Array };

/**
 * An optimizer to compare: fixed (the learned one) or tuned over learning rates. With a `spec`
 * any runner builds it on its own engine (and worker threads can run it); without one (a custom
 * optimizer) it runs as given, in this thread.
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

/** A learned contender for `config` and φ (flat; not copied), built on `engine` where no runner rebuilds it. */
export function lstmContender(name: string, config: LstmConfig, phi: Float32Array, engine: Pick<Engine, 'lstm'>): Contender {
  return { name, optimizer: learnedOptimizer(config, phi, engine), spec: { kind: 'lstm', config, phi } };
}

/** Runs one job with `optimizer` in this thread. */
export function runUnrollJob(family: TaskFamily, optimizer: Optimizer, job: UnrollJob): UnrollResult {
  const rng = new Rng(job.seed).child(job.stream);
  const task = family.sample(rng.child('task'), job.members);
  try {
    return unroll(task, optimizer, task.init(rng.child('init')), job.steps, { finalMetrics: job.finalMetrics });
  } finally {
    task.dispose?.();
  }
}

/** The optimizer a job runs: from the contender's spec on `engine` when it has one, else the contender's own. */
export function jobOptimizer(contender: Contender, job: UnrollJob, engine?: Pick<Engine, 'lstm'>): Optimizer {
  if (contender.spec && engine) return optimizerFromSpec(contender.spec, engine, job.learningRate);
  if ('optimizer' in contender) return contender.optimizer;
  if (job.learningRate === undefined) throw new Error(`job for '${contender.name}' has no learning rate`);
  return contender.factory(job.learningRate);
}

/** Builds an optimizer from its spec, a learned one on `engine`. */
export function optimizerFromSpec(spec: OptimizerSpec, engine: Pick<Engine, 'lstm'>, learningRate?: number): Optimizer {
  if (spec.kind === 'lstm') return learnedOptimizer(spec.config, spec.phi, engine);
  const factory = HAND_DESIGNED[spec.name];
  if (!factory || learningRate === undefined) throw new Error(`cannot build '${spec.name}' at learning rate ${learningRate}`);
  return factory(learningRate);
}

/**
 * A runner that does every job here, one after the other: contenders with a spec built on
 * `engine` when given, else each contender's own optimizer.
 */
export function localRunner(engine?: Pick<Engine, 'lstm'>): UnrollRunner {
  return {
    async run(family, contenders, jobs, onDone) {
      return jobs.map((job) => {
        const result = runUnrollJob(family, jobOptimizer(contenders[job.contender], job, engine), job);
        onDone?.();
        return result;
      });
    },
  };
}
