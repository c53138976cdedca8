/**
 * Meta-training (paper §2, §3), the driver: meta-iterations (`metaIteration.ts`: one horizon of
 * truncations, φ updated after each), and every `validateEvery` iterations a validation
 * (`validation.ts`) that keeps the best φ. With a curriculum (`curriculum.ts`) the horizon grows
 * in stages, each judged on the next stage's horizon and started from the previous stage's best.
 *
 * Robustness: non-finite meta-gradients are skipped (`applyIfFinite`); the meta learning rate
 * decays exponentially to `finalMetaLrFactor` of its start and halves after every third skipped
 * step; and a collapse — a validated optimizer that leaves the loss no lower than where it
 * started (for MNIST: chance level, ln 10) — restores the best φ, restarts Adam's moments and
 * halves the meta learning rate.
 */
import type { Engine } from '../engine/engine.ts';
import { initMetaParams, metaParamShapes } from '../learned/lstmConfig.ts';
import { Rng } from '../random/rng.ts';
import { sizeOfShape, type TaskFamily } from '../tasks/task.ts';
import type { UnrollRunner } from '../eval/unrollJob.ts';
import { fromCheckpoint, toCheckpoint, type MetaCheckpoint } from './checkpoint.ts';
import { curriculumStages, nextStage, noteValidation, startCurriculum, type CurriculumState, type StageRecord } from './curriculum.ts';
import type { TruncationRunner } from './groups.ts';
import { metaIteration, type IterationSettings, type MetaState } from './metaIteration.ts';
import { metaOptimizer } from './metaOptimizer.ts';
import { validationScore, validator, type ValidationMetric, type ValidationSettings } from './validation.ts';

export type { MetaState } from './metaIteration.ts';

export type { ValidationMetric } from './validation.ts';

/** Settings of one meta-training run. */
export interface MetaTrainConfig extends IterationSettings, ValidationSettings {
  /** Meta-iterations at most; each is one horizon of truncations. */
  iterations: number;
  /** Optimizee steps per iteration (paper: 100); the first stage's with a curriculum. */
  horizon: number;
  /** Initial learning rate of the Adam meta-optimizer. */
  metaLearningRate: number;
  /** The meta learning rate decays exponentially to this fraction of itself by the last iteration (1: constant). */
  finalMetaLrFactor: number;
  /** Validate every this many iterations (and after the last). */
  validateEvery: number;
  /** 'mean': mean validation loss over the horizon; 'final': at its last step; 'tail': over its last half; 'last': no selection, the latest validated φ. */
  selectBy: ValidationMetric;
  /**
   * Training horizons of a curriculum's stages, e.g. [100, 200, 500, 1000] (Chen et al. 2020);
   * absent: one stage of `horizon`, validated on `horizon`.
   */
  curriculum?: number[];
  /**
   * Validations in a row without a better one that end a stage (after the last, training);
   * default 3 with a curriculum, never without one.
   */
  patience?: number;
}

/** What is reported after each iteration. */
export interface IterationInfo {
  iteration: number;
  /** Mean member loss averaged over the horizon's steps (the meta-loss per step). */
  metaLoss: number;
  /** Mean member loss at the end of the horizon. */
  finalLoss: number;
  /** The iteration's horizon. */
  horizon: number;
  /** On an imitation iteration: the imitation loss over the horizon. */
  imitationLoss?: number;
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
  /**
   * The iteration the validated φ was trained to: `iteration`, except at a curriculum stage's
   * first validation, whose φ is the previous stage's best (trained to that stage's best iteration).
   */
  trainedTo: number;
  /** The validation runs' horizon. */
  horizon: number;
  /** Mean validation loss over steps 1..horizon. */
  validationLoss: number;
  /** Mean validation loss at the last step. */
  validationFinalLoss: number;
  /** The number that selects the best optimizer (`validationScore` by `selectBy`). */
  validationScore: number;
  isBest: boolean;
  /** True when this validation detected a collapse (and the best φ was restored). */
  collapsed: boolean;
}

/** Hooks for logging, saving, checkpointing and stopping. */
export interface MetaTrainHooks {
  onIteration?(info: IterationInfo): void;
  /** After each validation, with the best φ so far (of the current stage; flat, a copy) and, with a curriculum, its stages so far. */
  onValidation?(info: ValidationInfo, best: Float32Array, stages?: StageRecord[]): void;
  /** When a curriculum stage ends (and the next starts from its best φ). */
  onStage?(ended: StageRecord, next: StageRecord | null): void;
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
  /** Where the groups' truncations run (e.g. workers through a queue); default: this thread. */
  truncations?: TruncationRunner;
}

/** The outcome of meta-training. */
export interface MetaTrainResult {
  /** Best φ on validation (flat; of the last stage with a curriculum). */
  best: Float32Array;
  /** The best validation number (by `selectBy`). */
  bestValidationLoss: number;
  /** The iteration the best φ was trained to. */
  bestIteration: number;
  iterationsDone: number;
  collapses: number;
  stopped: boolean;
  /** With a curriculum: every stage, as it went. */
  stages?: StageRecord[];
}

/** The paper's schedule with this project's measured defaults; fields can be overridden. */
export function defaultMetaTrainConfig(overrides: Partial<MetaTrainConfig> & Pick<MetaTrainConfig, 'lstm'>): MetaTrainConfig {
  return {
    iterations: 300, membersPerTask: 128, horizon: 100, unrollLength: 20, metaLearningRate: 3e-3, finalMetaLrFactor: 0.1,
    metaObjective: 'loss', validateEvery: 10, validationMembers: 256, selectBy: 'final', clipGradNorm: 0, seed: 0,
    ...overrides,
  };
}

/** The meta learning rate of `iteration`: decayed by the schedule, halved per collapse and per three faults. */
export function metaLearningRate(config: MetaTrainConfig, iteration: number, collapses: number, faults: number): number {
  const decay = config.finalMetaLrFactor ** (iteration / Math.max(1, config.iterations - 1));
  return config.metaLearningRate * 0.5 ** (collapses + Math.floor(faults / 3)) * decay;
}

/** Meta-trains a fresh (or warm-started) LSTM optimizer on `family`, computing on `engine`. */
export async function metaTrain(engine: Engine, family: TaskFamily, config: MetaTrainConfig, hooks: MetaTrainHooks = {}): Promise<MetaTrainResult> {
  const sizes = metaParamShapes(config.lstm).map(([, shape]) => sizeOfShape(shape));
  const transform = metaOptimizer(config.clipGradNorm);
  const drawn = initMetaParams(config.lstm, new Rng(config.seed).child('phi'));
  const run: MetaState = { phi: hooks.initialPhi ? hooks.initialPhi.slice() : drawn, metaState: transform.init(drawn.length) };
  if (run.phi.length !== drawn.length) throw new Error(`the initial φ has ${run.phi.length} values, the LSTM's configuration needs ${drawn.length}`);
  const stages = config.curriculum ? curriculumStages(config.curriculum) : [{ horizon: config.horizon, validationHorizon: config.horizon }];
  const patience = config.patience ?? (config.curriculum ? 3 : Infinity);
  let curriculum: CurriculumState = startCurriculum(stages);
  let collapses = 0;
  let best: { phi: Float32Array; loss: number; iteration: number } = { phi: run.phi.slice(), loss: Infinity, iteration: 0 };
  let iteration = 0;
  if (hooks.resume) {
    const restored = fromCheckpoint(hooks.resume, sizes);
    ({ iteration, best, collapses } = restored);
    run.phi = restored.phi;
    run.metaState = restored.metaState;
    if (restored.curriculum) curriculum = restored.curriculum;
  }
  // The iteration run.phi was trained to: a restored best φ keeps its own.
  let trainedTo = iteration;
  const faults = () => run.metaState.notFinite;
  const validation = validator(engine, family, config, hooks.validationRunner);
  let stopped = false;
  let finished = false;
  const checkpoint = () => hooks.onCheckpoint?.(toCheckpoint({ iteration, phi: run.phi, metaState: run.metaState, best, collapses, ...(config.curriculum ? { curriculum } : {}) }));

  /** Validates φ; true when the curriculum's last stage is over. */
  const validate = async (): Promise<boolean> => {
    const horizon = stages[curriculum.stage].validationHorizon;
    const validated = trainedTo;
    const curve = await validation.curve(run.phi, horizon);
    const meanLoss = validationScore(curve, 'mean');
    const finalLoss = validationScore(curve, 'final');
    const score = validationScore(curve, config.selectBy);
    // A non-finite validation loss counts as a collapse too.
    const collapsed = iteration > 0 && !(meanLoss < curve[0] && Number.isFinite(score));
    // 'last' keeps every validated φ that did not collapse: no selection.
    const isBest = !collapsed && Number.isFinite(score) && (config.selectBy === 'last' || score < best.loss);
    if (isBest) best = { phi: run.phi.slice(), loss: score, iteration: validated };
    if (collapsed) {
      // Restore the best φ, restart Adam's moments and halve the learning rate (`collapses` counts it).
      run.phi = best.phi.slice();
      trainedTo = best.iteration;
      run.metaState.inner = transform.init(run.phi.length).inner;
      collapses++;
    }
    const verdict = noteValidation(curriculum, isBest, score, validated, patience);
    hooks.onValidation?.({ iteration, trainedTo: validated, horizon, validationLoss: meanLoss, validationFinalLoss: finalLoss, validationScore: score, isBest, collapsed }, best.phi.slice(), config.curriculum ? structuredClone(curriculum.history) : undefined);
    if (verdict === 'continue') return false;
    // The stage is over: the next one starts from its best φ, with Adam's moments restarted.
    const ended = curriculum.history[curriculum.stage];
    const more = nextStage(curriculum, stages, iteration);
    hooks.onStage?.(ended, more ? curriculum.history[curriculum.stage] : null);
    run.phi = best.phi.slice();
    trainedTo = best.iteration;
    if (!more) return true;
    run.metaState.inner = transform.init(run.phi.length).inner;
    best = { phi: run.phi.slice(), loss: Infinity, iteration: trainedTo };
    return validate();
  };

  try {
    if (!hooks.resume) finished = await validate();
    while (iteration < config.iterations && !stopped && !finished) {
      const started = performance.now();
      const horizon = stages[curriculum.stage].horizon;
      // The rate is set at the start of an iteration; faults during it lower the next one's.
      const rate = metaLearningRate(config, iteration, collapses, faults());
      // Let signal handlers and progress timers run between truncations.
      const outcome = await metaIteration(engine, family, config, run, iteration, horizon, rate, () => new Promise((resolve) => setImmediate(resolve)), hooks.truncations);
      if (hooks.shouldStop?.()) stopped = true;
      iteration++;
      trainedTo = iteration;
      hooks.onIteration?.({
        iteration,
        metaLoss: mean(outcome.losses),
        finalLoss: outcome.losses[outcome.losses.length - 1],
        horizon,
        ...(outcome.imitationLoss !== undefined ? { imitationLoss: outcome.imitationLoss } : {}),
        skippedUpdates: outcome.skipped,
        faults: faults(),
        metaLearningRate: rate,
        seconds: (performance.now() - started) / 1000,
      });
      if (iteration % config.validateEvery === 0 || iteration === config.iterations) finished = await validate();
      if (iteration % (hooks.checkpointEvery ?? 10) === 0 || iteration === config.iterations || stopped || finished) checkpoint();
    }
  } finally {
    validation.dispose();
  }
  return {
    best: best.phi,
    bestValidationLoss: best.loss,
    bestIteration: best.iteration,
    iterationsDone: iteration,
    collapses,
    stopped,
    ...(config.curriculum ? { stages: curriculum.history } : {}),
  };
}

function mean(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}
