/**
 * Meta-training (paper §2, §3): sample a batch of optimizees, unroll the LSTM optimizer over a
 * horizon in truncations, and after each truncation take one Adam step on φ with the exact
 * truncated meta-gradient. Every `validateEvery` iterations the optimizer is run on a fixed set
 * of fresh optimizees; the best φ on validation is kept and reported.
 *
 * Robustness: non-finite meta-gradients are skipped; the meta learning rate decays
 * exponentially to `finalMetaLrFactor` of its start; and a collapse — a validated optimizer
 * that leaves the loss no lower than where it started (for MNIST: chance level, ln 10) —
 * restores the best φ, resets the meta-optimizer and halves the meta learning rate.
 */
import * as tf from '@tensorflow/tfjs';
import { initMetaParams, metaParamList, metaParamShapes, metaParamsFromList, type LstmConfig, type MetaParams } from '../learned/lstmConfig.ts';
import { lstmOptimizer } from '../learned/lstmOptimizer.ts';
import { disposeState } from '../optimizers/optimizer.ts';
import { Rng } from '../random/rng.ts';
import type { MetaObjective, TaskFamily } from '../tasks/task.ts';
import { fromCheckpoint, toCheckpoint, type MetaCheckpoint } from './checkpoint.ts';
import { advanceTruncation } from './advance.ts';
import { initMetaAdam, joinValues, metaAdamFromOptState, metaAdamStep, metaAdamToOptState, splitValues, type MetaAdamState } from './flatParams.ts';
import { truncatedMetaGradient, type TruncationStart } from './metaGradient.ts';
import type { Shard } from './shard.ts';
import { concatRuns } from '../eval/stats.ts';
import { localRunner, lstmContender, type UnrollJob, type UnrollRunner } from '../eval/unrollJob.ts';
import { meanCurve, unroll } from './unroll.ts';

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
  /** Coordinate rows above which the meta-gradient replays the LSTM in blocks (bounds memory). */
  blockRows?: number;
  /**
   * Threads sharing each truncation's LSTM work: this one plus `hooks.shards` (default 1). The
   * sum of the shards' meta-gradients is exact, but its rounding depends on the split, so the
   * number is part of what makes a run reproducible.
   */
  threads?: number;
  /**
   * With more than 1, the validation networks are drawn as this many separate batches
   * (streams `validation-chunk<k>` of the seed) so that `hooks.validationRunner` can evaluate
   * them in parallel; a different validation set than 1 chunk (one batch), so part of the run's
   * recipe. Default 1.
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
  /** After each validation, with the best φ so far. */
  onValidation?(info: ValidationInfo, best: MetaParams): void;
  /** Every `checkpointEvery` iterations and when stopping, at an iteration boundary. */
  onCheckpoint?(checkpoint: MetaCheckpoint): void;
  /** How often `onCheckpoint` is called (iterations; default 10). */
  checkpointEvery?: number;
  /** Polled after each iteration; true stops the run there (with a checkpoint). */
  shouldStop?(): boolean;
  /** Continue from this checkpoint instead of starting afresh. */
  resume?: MetaCheckpoint;
  /** `config.threads − 1` shards (e.g. worker threads) that take part of every truncation's rows. */
  shards?: Shard[];
  /** Evaluates the validation chunks when `config.validationChunks` > 1 (e.g. an `EvalPool`); default: this thread. */
  validationRunner?: UnrollRunner;
  /** Start from this φ (warm start, e.g. a shipped optimizer) instead of a fresh draw; not owned. */
  initialPhi?: MetaParams;
}

/** The outcome of meta-training. */
export interface MetaTrainResult {
  /** Best φ on validation (caller owns the tensors). */
  best: MetaParams;
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

/** Meta-trains a fresh LSTM optimizer on `family`. */
export async function metaTrain(family: TaskFamily, config: MetaTrainConfig, hooks: MetaTrainHooks = {}): Promise<MetaTrainResult> {
  const shards = hooks.shards ?? [];
  if (shards.length !== (config.threads ?? 1) - 1) throw new Error(`metaTrain: ${config.threads ?? 1} threads need ${(config.threads ?? 1) - 1} shards, got ${shards.length}`);
  const rng = new Rng(config.seed);
  const drawn = initMetaParams(config.lstm, rng.child('phi'));
  let phi = hooks.initialPhi ? metaParamList(config.lstm, hooks.initialPhi).map((p) => p.clone()) : metaParamList(config.lstm, drawn);
  if (hooks.initialPhi) tf.dispose(Object.values(drawn));
  const shapes = metaParamShapes(config.lstm).map(([, shape]) => shape);
  // The meta-optimizer (Adam) works on φ as one flat array (`flatParams.ts`); checkpoints keep φ's shapes.
  const freshMetaState = () => initMetaAdam(shapes.reduce((n, shape) => n + shape.reduce((a, b) => a * b, 1), 0));
  let metaState: MetaAdamState = freshMetaState();
  let lrMultiplier = 1;
  let collapses = 0;
  let faults = 0;
  let best = { phi: phi.map((p) => p.clone()), loss: Infinity, iteration: 0 };
  let iteration = 0;
  if (hooks.resume) {
    const restored = fromCheckpoint(hooks.resume, shapes);
    tf.dispose([...phi, ...best.phi]);
    ({ phi, best, lrMultiplier, collapses, faults, iteration } = restored);
    metaState = metaAdamFromOptState(restored.metaState);
    disposeState(restored.metaState);
  }
  // One batch of validation networks, or chunks that a runner can evaluate in parallel.
  const chunks = Math.min(config.validationChunks ?? 1, config.validationMembers);
  const validationTask = chunks === 1 ? family.sample(rng.child('validation'), config.validationMembers) : undefined;
  const validationTheta = validationTask?.init(rng.child('validation-init')) ?? [];
  const validationCurve = async (): Promise<number[]> => {
    if (validationTask) return meanCurve(unroll(validationTask, lstmOptimizer(config.lstm, metaParamsFromList(config.lstm, phi)), validationTheta, config.horizon));
    const jobs: UnrollJob[] = Array.from({ length: chunks }, (_, k) => ({
      contender: 0,
      seed: config.seed,
      stream: `validation-chunk${k}`,
      members: Math.floor(config.validationMembers / chunks) + (k < config.validationMembers % chunks ? 1 : 0),
      steps: config.horizon,
      finalMetrics: false,
    }));
    const results = await (hooks.validationRunner ?? localRunner).run(family, [lstmContender('lstm', config.lstm, metaParamsFromList(config.lstm, phi))], jobs);
    return meanCurve({ losses: concatRuns(results.map((r) => r.losses)) });
  };
  let stopped = false;
  const checkpoint = () => {
    if (!hooks.onCheckpoint) return;
    const state = metaAdamToOptState(metaState, shapes);
    hooks.onCheckpoint(toCheckpoint({ iteration, phi, metaState: state, best, lrMultiplier, collapses, faults }));
    disposeState(state);
  };

  const validate = async () => {
    const curve = await validationCurve();
    const meanLoss = mean(curve.slice(1));
    const finalLoss = curve[curve.length - 1];
    const score = config.selectBy === 'mean' ? meanLoss : finalLoss;
    // A non-finite validation loss counts as a collapse too.
    const collapsed = iteration > 0 && !(meanLoss < curve[0] && Number.isFinite(score));
    const isBest = !collapsed && Number.isFinite(score) && score < best.loss;
    if (isBest) {
      tf.dispose(best.phi);
      best = { phi: phi.map((p) => p.clone()), loss: score, iteration };
    }
    if (collapsed) {
      // Restore the best φ, start the meta-optimizer afresh and halve its learning rate.
      tf.dispose(phi);
      phi = best.phi.map((p) => p.clone());
      metaState = freshMetaState();
      lrMultiplier /= 2;
      collapses++;
    }
    hooks.onValidation?.({ iteration, validationLoss: meanLoss, validationFinalLoss: finalLoss, isBest, collapsed }, metaParamsFromList(config.lstm, best.phi));
  };

  if (!hooks.resume) await validate();
  while (iteration < config.iterations && !stopped) {
    const started = performance.now();
    const metaLearningRate = config.metaLearningRate * lrMultiplier * config.finalMetaLrFactor ** (iteration / Math.max(1, config.iterations - 1));
    const iterRng = rng.child(`iteration${iteration}`);
    const task = family.sample(iterRng.child('task'), config.membersPerTask);
    const optimizer = lstmOptimizer(config.lstm, metaParamsFromList(config.lstm, phi));
    const theta0 = task.init(iterRng.child('init'));
    let start: TruncationStart = { params: theta0, state: optimizer.init(theta0), step: 0 };
    const losses: number[] = [];
    let skippedUpdates = 0;
    for (let t = 0; t < config.horizon; t += config.unrollLength) {
      const length = Math.min(config.unrollLength, config.horizon - t);
      if (t < (config.updateFromStep ?? 0)) {
        // Before the trained part of the horizon: advance θ and the LSTM state, no meta-update.
        start = advanceTruncation(task, optimizer, start, length, losses);
        continue;
      }
      const result = truncatedMetaGradient(config.lstm, phi, task, start, length, config.metaObjective, config.blockRows, shards);
      tf.dispose(start.params);
      disposeState(start.state);
      start = result.next;
      losses.push(...result.losses);
      const updated = applyMetaGradient(phi, result.metaGrads, metaState, metaLearningRate, config.clipGradNorm);
      tf.dispose(result.metaGrads);
      if (updated) {
        phi = updated;
      } else {
        // A non-finite loss or meta-gradient never reaches φ; repeated faults lower the rate.
        skippedUpdates++;
        faults++;
        if (faults % 3 === 0) lrMultiplier /= 2;
      }
      // Let signal handlers and progress timers run between truncations.
      await new Promise((resolve) => setImmediate(resolve));
    }
    if (hooks.shouldStop?.()) stopped = true;
    tf.dispose(start.params);
    disposeState(start.state);
    task.dispose?.();
    iteration++;
    hooks.onIteration?.({
      iteration,
      metaLoss: mean(losses),
      finalLoss: losses[losses.length - 1],
      skippedUpdates,
      faults,
      metaLearningRate,
      seconds: (performance.now() - started) / 1000,
    });
    if (iteration % config.validateEvery === 0 || iteration === config.iterations) await validate();
    if (iteration % (hooks.checkpointEvery ?? 10) === 0 || iteration === config.iterations || stopped) checkpoint();
  }
  validationTask?.dispose?.();
  tf.dispose([...validationTheta, ...phi]);
  return {
    best: metaParamsFromList(config.lstm, best.phi),
    bestValidationLoss: best.loss,
    bestIteration: best.iteration,
    iterationsDone: iteration,
    collapses,
    stopped,
  };
}

/**
 * One meta-optimizer step (Adam with `learningRate`) with ∂L/∂φ (`metaParamShapes` order, not
 * disposed) clipped to global norm ≤ maxNorm (0: not clipped), on φ as one flat array
 * (`flatParams.ts`; `state` advances in place). Returns the new φ, disposing the old; or null,
 * leaving φ and the state as they were, when the meta-gradient is not finite.
 */
export function applyMetaGradient(phi: tf.Tensor[], metaGrads: tf.Tensor[], state: MetaAdamState, learningRate: number, maxNorm: number): tf.Tensor[] | null {
  const values = joinValues(phi);
  if (!metaAdamStep(values, joinValues(metaGrads), state, learningRate, maxNorm)) return null;
  const next = splitValues(values, phi.map((p) => p.shape));
  tf.dispose(phi);
  return next;
}

function mean(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}
