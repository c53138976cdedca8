/**
 * One meta-iteration (paper §2): a fresh task from the iteration's seed stream (or several
 * groups of them, `groups.ts`), one horizon of truncations (`truncation.ts`) with a
 * meta-optimizer step after each one that trains. Options beyond the paper change what the
 * iteration trains on:
 *
 * - random scaling (Lv et al. 2017): the tasks' coordinates scaled by e^U(−s, s) (`tasks/scaled.ts`);
 * - imitation (Chen et al. 2020): on a fraction of iterations, drawn from the seed, θ follows a
 *   teacher (a hand-designed optimizer at its tuned rate) and the learned optimizer is trained to
 *   reproduce its updates;
 * - evolution strategies (`es.ts`): one normalized meta-step per iteration along an ES estimate
 *   of the gradient of the whole horizon's true meta-loss, instead of the paper's truncations
 *   and Adam.
 */
import type { Engine } from '../engine/engine.ts';
import type { TaskFamily } from '../tasks/task.ts';
import { esMetaGradient, esStep, type EsSettings } from './es.ts';
import { combineGroups, isImitationIteration, localTruncations, type GroupSettings, type TruncationRunner } from './groups.ts';
import { metaOptimizer, metaStep, type MetaOptimizerState } from './metaOptimizer.ts';

export { isImitationIteration } from './groups.ts';

/** What a meta-iteration needs of the run's configuration. */
export interface IterationSettings extends GroupSettings {
  unrollLength: number;
  clipGradNorm: number;
  updateFromStep?: number;
  /** Meta-steps from evolution strategies instead of the paper's meta-gradient (absent: the paper's). */
  es?: EsSettings;
}

/** φ and the meta-optimizer's state, which meta-iterations advance. */
export interface MetaState {
  phi: Float32Array;
  metaState: MetaOptimizerState;
}

/** What one meta-iteration did. */
export interface IterationOutcome {
  /** Mean member loss after each step of the horizon (along the teacher's trajectory when imitating; averaged over groups). */
  losses: number[];
  /** Truncations whose meta-gradient was not finite, and so not applied. */
  skipped: number;
  /** The imitation loss summed over the horizon, on an imitation iteration. */
  imitationLoss?: number;
}

/**
 * Meta-iteration `iteration` over a horizon of `horizon` steps, with meta-optimizer steps at
 * `learningRate` (φ and its state advance in place); the groups' truncations run on `runner`
 * (default: here). Between truncations `between` runs (the driver lets signals and timers in
 * there).
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
  runner: TruncationRunner = localTruncations(engine, family, settings),
): Promise<IterationOutcome> {
  const transform = metaOptimizer(settings.clipGradNorm);
  if (settings.es) {
    const estimate = await esMetaGradient(engine, family, { ...settings, es: settings.es }, run.phi, iteration, horizon, between);
    const applied = estimate.metaGrad !== null && esStep(run.phi, estimate.metaGrad, learningRate, estimate.moved);
    // A non-finite estimate counts as a fault, as a non-finite meta-gradient does.
    if (estimate.metaGrad && !applied && !estimate.metaGrad.every(Number.isFinite)) run.metaState.notFinite++;
    return { losses: estimate.losses, skipped: applied ? 0 : 1 };
  }
  const imitating = isImitationIteration(settings, iteration);
  const losses: number[] = [];
  let skipped = 0;
  let imitationLoss = 0;
  try {
    for (let t = 0, index = 0; t < horizon; t += settings.unrollLength, index++) {
      const length = Math.min(settings.unrollLength, horizon - t);
      const train = t >= (settings.updateFromStep ?? 0);
      const result = combineGroups(await runner.run({ iteration, index, length, train, phi: run.phi }));
      losses.push(...result.losses);
      imitationLoss += result.imitationLoss ?? 0;
      // A non-finite loss or meta-gradient never reaches φ (counted in the meta-optimizer's state).
      if (result.metaGrad && !metaStep(transform, run.phi, result.metaGrad, run.metaState, { learningRate })) skipped++;
      await between();
    }
  } finally {
    await runner.endIteration(iteration);
  }
  return { losses, skipped, ...(imitating ? { imitationLoss } : {}) };
}
