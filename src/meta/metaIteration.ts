/**
 * One meta-iteration (paper §2): a fresh task from the iteration's seed stream, one horizon of
 * truncations (`truncation.ts`) with a meta-optimizer step after each one that trains. Options
 * beyond the paper change what the iteration trains on:
 *
 * - random scaling (Lv et al. 2017): the task's coordinates scaled by e^U(−s, s) (`tasks/scaled.ts`);
 * - imitation (Chen et al. 2020): on a fraction of iterations, drawn from the seed, θ follows a
 *   teacher (a hand-designed optimizer at its tuned rate) and the learned optimizer is trained to
 *   reproduce its updates.
 */
import type { Engine } from '../engine/engine.ts';
import { baseOptimizer, type BaseStep } from '../learned/baseStep.ts';
import type { LstmConfig } from '../learned/lstmConfig.ts';
import { Rng } from '../random/rng.ts';
import { scaledTask } from '../tasks/scaled.ts';
import type { MetaObjective, TaskFamily } from '../tasks/task.ts';
import { metaOptimizer, metaStep, type MetaOptimizerState } from './metaOptimizer.ts';
import { releaseOptimizee, startOptimizee, truncation } from './truncation.ts';

/** What a meta-iteration needs of the run's configuration. */
export interface IterationSettings {
  seed: number;
  lstm: LstmConfig;
  membersPerTask: number;
  unrollLength: number;
  metaObjective: MetaObjective;
  clipGradNorm: number;
  updateFromStep?: number;
  /** Random scaling s of training tasks' coordinates (0 or absent: off). */
  randomScale?: number;
  /** On this fraction of iterations, imitate `teacher` instead of minimizing the meta-loss. */
  imitation?: { teacher: BaseStep; fraction: number };
}

/** φ and the meta-optimizer's state, which meta-iterations advance. */
export interface MetaState {
  phi: Float32Array;
  metaState: MetaOptimizerState;
}

/** What one meta-iteration did. */
export interface IterationOutcome {
  /** Mean member loss after each step of the horizon (along the teacher's trajectory when imitating). */
  losses: number[];
  /** Truncations whose meta-gradient was not finite, and so not applied. */
  skipped: number;
  /** The imitation loss summed over the horizon, on an imitation iteration. */
  imitationLoss?: number;
}

/** Whether meta-iteration `iteration` of a run with these settings imitates the teacher (drawn from the seed). */
export function isImitationIteration(settings: IterationSettings, iteration: number): boolean {
  return !!settings.imitation && new Rng(settings.seed).child(`iteration${iteration}`).child('imitation').uniform() < settings.imitation.fraction;
}

/**
 * Meta-iteration `iteration` over a horizon of `horizon` steps, with meta-optimizer steps at
 * `learningRate` (φ and its state advance in place). Between truncations `between` runs (the
 * driver lets signals and timers in there).
 */
export async function metaIteration(
  engine: Engine,
  family: TaskFamily,
  settings: IterationSettings,
  run: MetaState,
  iteration: number,
  horizon: number,
  learningRate: number,
  between: () => Promise<void> = async () => {},
): Promise<IterationOutcome> {
  const transform = metaOptimizer(settings.clipGradNorm);
  const iterRng = new Rng(settings.seed).child(`iteration${iteration}`);
  const sampled = family.sample(iterRng.child('task'), settings.membersPerTask);
  const task = settings.randomScale ? scaledTask(sampled, iterRng.child('scale'), settings.randomScale) : sampled;
  const state = startOptimizee(engine, settings.lstm, task.init(iterRng.child('init')));
  const imitating = isImitationIteration(settings, iteration);
  if (imitating) {
    const teacher = baseOptimizer(settings.imitation!.teacher);
    state.teacher = { optimizer: teacher, state: teacher.init(state.theta.length) };
  }
  const losses: number[] = [];
  let skipped = 0;
  let imitationLoss = 0;
  try {
    for (let t = 0; t < horizon; t += settings.unrollLength) {
      const length = Math.min(settings.unrollLength, horizon - t);
      const train = t >= (settings.updateFromStep ?? 0);
      const result = truncation(engine, { config: settings.lstm, phi: run.phi }, task, state, length, { objective: settings.metaObjective, train });
      losses.push(...result.losses);
      imitationLoss += result.imitationLoss ?? 0;
      // A non-finite loss or meta-gradient never reaches φ (counted in the meta-optimizer's state).
      if (result.metaGrad && !metaStep(transform, run.phi, result.metaGrad, run.metaState, { learningRate })) skipped++;
      await between();
    }
  } finally {
    releaseOptimizee(engine, state);
    task.dispose?.();
  }
  return { losses, skipped, ...(imitating ? { imitationLoss } : {}) };
}
