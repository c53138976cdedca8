/**
 * Meta-training (paper §2, §3), the driver: sample a batch of optimizees, unroll the LSTM
 * optimizer over a horizon in truncations (`truncation.ts`), and after each truncation take one
 * meta-optimizer step on φ (`metaOptimizer.ts`). Every `validateEvery` iterations the optimizer
 * is run on a fixed set of fresh optimizees; the best φ on validation is kept and reported.
 *
 * Robustness: non-finite meta-gradients are skipped (`applyIfFinite`); the meta learning rate
 * decays exponentially to `finalMetaLrFactor` of its start and halves after every third skipped
 * step; and a collapse — a validated optimizer that leaves the loss no lower than where it
 * started (for MNIST: chance level, ln 10) — restores the best φ, restarts Adam's moments and
 * halves the meta learning rate.
 */
import type { Engine } from '../engine/engine.ts';
import { initMetaParams, metaParamShapes, type LstmConfig } from '../learned/lstmConfig.ts';
import { learnedOptimizer } from '../learned/learnedOptimizer.ts';
import { Rng } from '../random/rng.ts';
import { sizeOfShape, type MetaObjective, type TaskFamily } from '../tasks/task.ts';
import { meanCurve, unroll } from '../unroll/unroll.ts';
import { concatRuns } from '../eval/stats.ts';
import { localRunner, lstmContender, type UnrollJob, type UnrollRunner } from '../eval/unrollJob.ts';
import { fromCheckpoint, toCheckpoint, type MetaCheckpoint } from './checkpoint.ts';
import { metaOptimizer, metaStep, type MetaOptimizerState } from './metaOptimizer.ts';
import { releaseOptimizee, startOptimizee, truncation } from './truncation.ts';

/** Which validation number picks the best optimizer. */
export type ValidationMetric = 'mean' | 'final';

/** Settings of one meta-training run. */
export interface MetaTrainConfig {
  /** Meta-iterations; each is one horizon of `horizon / unrollLength` truncations. */
  iterations: number;
  /** Optimizees sampled per iteration (paper: 128 quadratics). */
  membersPerTask: number;
  /** Optimizee steps per iteration (paper: 100). */
  horizon: number;
  /** Steps per truncation of BPTT (paper: 20). */
  unrollLength: number;
  /** Initial learning rate of the Adam meta-optimizer. */
  metaLearningRate: number;
  /** The meta learning rate decays exponentially to this fraction of itself by the last iteration (1: constant). */
  finalMetaLrFactor: number;
  /** Σ l(θt) (the paper) or Σ log l(θt). */
  metaObjective: MetaObjective;
  /**
   * Only truncations that start at this step or later update φ (default 0: all, the paper); the
   * earlier ones just run the optimizee forward, so φ is trained for the later part of training.
   */
  updateFromStep?: number;
  /** Validate every this many iterations (and after the last). */
  validateEvery: number;
  /** Fixed validation optimizees. */
  validationMembers: number;
  /** 'mean': mean validation loss over the horizon; 'final': at its last step. */
  selectBy: ValidationMetric;
  /** Meta-gradients with a larger global norm are scaled down to it; 0 turns clipping off. */
  clipGradNorm: number;
  /**
   * With more than 1, the validation optimizees are drawn as this many separate batches
   * (streams `validation-chunk<k>` of the seed), which `hooks.validationRunner` can evaluate in
   * parallel; a different validation set than 1 batch, so part of the run's recipe. Default 1.
   */
  validationChunks?: number;
  /** Seed of every random draw of the run. */
  seed: number;
  /** Architecture of the learned optimizer. */
  lstm: LstmConfig;
}

/** What is reported after each iteration. */
export interface IterationInfo {
  iteration: number;
  /** Mean member loss averaged over the horizon's steps (the meta-loss per step). */
  metaLoss: number;
  /** Mean member loss at the end of the horizon. */
  finalLoss: number;
  /** Truncations whose meta-gradient was not finite, and so not applied. */
  skippedUpdates: number;
  /** Non-finite meta-gradients so far in the run; every third halves the meta learning rate. */
  faults: number;
  metaLearningRate: number;
  seconds: number;
}

/** What is reported after each validation. */
export interface ValidationInfo {
  iteration: number;
  /** Mean validation loss over steps 1..horizon. */
  validationLoss: number;
  /** Mean validation loss at the last step. */
  validationFinalLoss: number;
  isBest: boolean;
  /** True when this validation detected a collapse (and the best φ was restored). */
  collapsed: boolean;
}

/** Hooks for logging, saving, checkpointing and stopping. */
export interface MetaTrainHooks {
  onIteration?(info: IterationInfo): void;
  /** After each validation, with the best φ so far (flat; a copy). */
  onValidation?(info: ValidationInfo, best: Float32Array): void;
  /** Every `checkpointEvery` iterations and when stopping, at an iteration boundary. */
  onCheckpoint?(checkpoint: MetaCheckpoint): void;
  /** How often `onCheckpoint` is called (iterations; default 10). */
  checkpointEvery?: number;
  /** Polled after each iteration; true stops the run there (with a checkpoint). */
  shouldStop?(): boolean;
  /** Continue from this checkpoint (version 1 or 2) instead of starting afresh. */
  resume?: unknown;
  /** Evaluates the validation chunks when `config.validationChunks` > 1 (e.g. an `EvalPool`); default: this thread. */
  validationRunner?: UnrollRunner;
  /** Start from this φ (flat; warm start, e.g. a shipped optimizer) instead of a fresh draw; copied. */
  initialPhi?: Float32Array;
}

/** The outcome of meta-training. */
export interface MetaTrainResult {
  /** Best φ on validation (flat). */
  best: Float32Array;
  /** The best validation number (by `selectBy`). */
  bestValidationLoss: number;
  bestIteration: number;
  iterationsDone: number;
  collapses: number;
  stopped: boolean;
}

/** The paper's schedule with this project's measured defaults; fields can be overridden. */
export function defaultMetaTrainConfig(overrides: Partial<MetaTrainConfig> & Pick<MetaTrainConfig, 'lstm'>): MetaTrainConfig {
  return {
    iterations: 300, membersPerTask: 128, horizon: 100, unrollLength: 20, metaLearningRate: 3e-3, finalMetaLrFactor: 0.1,
    metaObjective: 'loss', validateEvery: 10, validationMembers: 256, selectBy: 'final', clipGradNorm: 0, seed: 0,
    ...overrides,
  };
}

/** φ and the meta-optimizer's state, which meta-iterations advance. */
export interface MetaState {
  phi: Float32Array;
  metaState: MetaOptimizerState;
}

/** The meta learning rate of `iteration`: decayed by the schedule, halved per collapse and per three faults. */
export function metaLearningRate(config: MetaTrainConfig, iteration: number, collapses: number, faults: number): number {
  const decay = config.finalMetaLrFactor ** (iteration / Math.max(1, config.iterations - 1));
  return config.metaLearningRate * 0.5 ** (collapses + Math.floor(faults / 3)) * decay;
}

/**
 * One meta-iteration: a fresh task from the iteration's seed stream, one horizon of truncations
 * with a meta-optimizer step at `learningRate` after each that trains (φ and its state advance
 * in place).
 * Between truncations `between` runs (the driver lets signals and timers in there).
 */
export async function metaIteration(
  engine: Engine,
  family: TaskFamily,
  config: MetaTrainConfig,
  run: MetaState,
  iteration: number,
  learningRate: number,
  between: () => Promise<void> = async () => {},
): Promise<{ losses: number[]; skipped: number }> {
  const transform = metaOptimizer(config.clipGradNorm);
  const iterRng = new Rng(config.seed).child(`iteration${iteration}`);
  const task = family.sample(iterRng.child('task'), config.membersPerTask);
  const state = startOptimizee(engine, config.lstm, task.init(iterRng.child('init')));
  const losses: number[] = [];
  let skipped = 0;
  try {
    for (let t = 0; t < config.horizon; t += config.unrollLength) {
      const length = Math.min(config.unrollLength, config.horizon - t);
      const train = t >= (config.updateFromStep ?? 0);
      const weights = engine.lstm.weights(config.lstm, run.phi);
      const result = truncation(engine, weights, task, state, length, { objective: config.metaObjective, train });
      engine.lstm.release(weights);
      losses.push(...result.losses);
      // A non-finite loss or meta-gradient never reaches φ (counted in the meta-optimizer's state).
      if (result.metaGrad && !metaStep(transform, run.phi, result.metaGrad, run.metaState, { learningRate })) skipped++;
      await between();
    }
  } finally {
    releaseOptimizee(engine, state);
    task.dispose?.();
  }
  return { losses, skipped };
}

/** Meta-trains a fresh (or warm-started) LSTM optimizer on `family`, computing on `engine`. */
export async function metaTrain(engine: Engine, family: TaskFamily, config: MetaTrainConfig, hooks: MetaTrainHooks = {}): Promise<MetaTrainResult> {
  const rng = new Rng(config.seed);
  const sizes = metaParamShapes(config.lstm).map(([, shape]) => sizeOfShape(shape));
  const transform = metaOptimizer(config.clipGradNorm);
  const drawn = initMetaParams(config.lstm, rng.child('phi'));
  const run: MetaState = { phi: hooks.initialPhi ? hooks.initialPhi.slice() : drawn, metaState: transform.init(drawn.length) };
  if (run.phi.length !== drawn.length) throw new Error(`the initial φ has ${run.phi.length} values, the LSTM's configuration needs ${drawn.length}`);
  let collapses = 0;
  let best: { phi: Float32Array; loss: number; iteration: number } = { phi: run.phi.slice(), loss: Infinity, iteration: 0 };
  let iteration = 0;
  if (hooks.resume) {
    const restored = fromCheckpoint(hooks.resume, sizes);
    ({ iteration, best, collapses } = restored);
    run.phi = restored.phi;
    run.metaState = restored.metaState;
  }
  const faults = () => run.metaState.notFinite;

  // One batch of validation optimizees, or chunks that a runner can evaluate in parallel.
  const chunks = Math.min(config.validationChunks ?? 1, config.validationMembers);
  const validationTask = chunks === 1 ? family.sample(rng.child('validation'), config.validationMembers) : undefined;
  const validationTheta = validationTask?.init(rng.child('validation-init'));
  const validationCurve = async (): Promise<number[]> => {
    if (validationTask) return meanCurve(unroll(validationTask, learnedOptimizer(config.lstm, run.phi, engine), validationTheta!, config.horizon, { finalMetrics: false }));
    const jobs: UnrollJob[] = Array.from({ length: chunks }, (_, k) => ({
      contender: 0,
      seed: config.seed,
      stream: `validation-chunk${k}`,
      members: Math.floor(config.validationMembers / chunks) + (k < config.validationMembers % chunks ? 1 : 0),
      steps: config.horizon,
      finalMetrics: false,
    }));
    const results = await (hooks.validationRunner ?? localRunner(engine)).run(family, [lstmContender('lstm', config.lstm, run.phi, engine)], jobs);
    return meanCurve({ losses: concatRuns(results.map((r) => r.losses)) });
  };
  let stopped = false;
  const checkpoint = () => hooks.onCheckpoint?.(toCheckpoint({ iteration, phi: run.phi, metaState: run.metaState, best, collapses }));

  const validate = async () => {
    const curve = await validationCurve();
    const meanLoss = mean(curve.slice(1));
    const finalLoss = curve[curve.length - 1];
    const score = config.selectBy === 'mean' ? meanLoss : finalLoss;
    // A non-finite validation loss counts as a collapse too.
    const collapsed = iteration > 0 && !(meanLoss < curve[0] && Number.isFinite(score));
    const isBest = !collapsed && Number.isFinite(score) && score < best.loss;
    if (isBest) best = { phi: run.phi.slice(), loss: score, iteration };
    if (collapsed) {
      // Restore the best φ, restart Adam's moments and halve the learning rate (`collapses` counts it).
      run.phi = best.phi.slice();
      run.metaState.inner = transform.init(run.phi.length).inner;
      collapses++;
    }
    hooks.onValidation?.({ iteration, validationLoss: meanLoss, validationFinalLoss: finalLoss, isBest, collapsed }, best.phi.slice());
  };

  try {
    if (!hooks.resume) await validate();
    while (iteration < config.iterations && !stopped) {
      const started = performance.now();
      // The rate is set at the start of an iteration; faults during it lower the next one's.
      const rate = metaLearningRate(config, iteration, collapses, faults());
      // Let signal handlers and progress timers run between truncations.
      const { losses, skipped } = await metaIteration(engine, family, config, run, iteration, rate, () => new Promise((resolve) => setImmediate(resolve)));
      if (hooks.shouldStop?.()) stopped = true;
      iteration++;
      hooks.onIteration?.({
        iteration,
        metaLoss: mean(losses),
        finalLoss: losses[losses.length - 1],
        skippedUpdates: skipped,
        faults: faults(),
        metaLearningRate: rate,
        seconds: (performance.now() - started) / 1000,
      });
      if (iteration % config.validateEvery === 0 || iteration === config.iterations) await validate();
      if (iteration % (hooks.checkpointEvery ?? 10) === 0 || iteration === config.iterations || stopped) checkpoint();
    }
  } finally {
    validationTask?.dispose?.();
  }
  return { best: best.phi, bestValidationLoss: best.loss, bestIteration: best.iteration, iterationsDone: iteration, collapses, stopped };
}

function mean(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}
