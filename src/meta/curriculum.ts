/**
 * A curriculum over the training horizon (Chen et al. 2020, "Training Stronger Baselines for
 * Learning to Optimize"): stages of increasing horizon, e.g. 100 → 200 → 500 → 1000 steps (in
 * truncations of the same unroll). A stage trains on its horizon and is validated on the next
 * stage's (the last on its own); it ends when that validation has not improved for `patience`
 * validations in a row, and the next stage starts from the stage's best φ. After the last stage
 * training stops. This file holds the stages' bookkeeping; `metaTrain.ts` drives it.
 */

/** One stage's horizons. */
export interface Stage {
  /** Optimizee steps per training iteration. */
  horizon: number;
  /** Optimizee steps of the validation runs that judge the stage. */
  validationHorizon: number;
}

/** What happened in a stage, for the log and the optimizer file. */
export interface StageRecord extends Stage {
  /** Iterations completed when the stage started and (once over) ended. */
  startIteration: number;
  endIteration: number | null;
  /** The stage's best validation number and the iteration it came from. */
  bestLoss: number | null;
  bestIteration: number | null;
}

/** Where a curriculum is: the stage, validations since its best improved, and every stage so far. */
export interface CurriculumState {
  stage: number;
  sinceBest: number;
  history: StageRecord[];
}

/** The stages of training horizons `horizons`: each validated on the next one's horizon, the last on its own. */
export function curriculumStages(horizons: number[]): Stage[] {
  return horizons.map((horizon, k) => ({ horizon, validationHorizon: horizons[k + 1] ?? horizon }));
}

/** The state at the start of training (stage 0, started at iteration `iteration`). */
export function startCurriculum(stages: Stage[], iteration = 0): CurriculumState {
  return { stage: 0, sinceBest: 0, history: [{ ...stages[0], startIteration: iteration, endIteration: null, bestLoss: null, bestIteration: null }] };
}

/**
 * Notes a validation of the current stage; returns 'next' when the stage is over (its best has
 * not improved for `patience` validations), else 'continue'. `improved`: this validation is the
 * stage's best so far.
 */
export function noteValidation(state: CurriculumState, improved: boolean, loss: number, iteration: number, patience: number): 'continue' | 'next' {
  const current = state.history[state.stage];
  if (improved) {
    state.sinceBest = 0;
    current.bestLoss = loss;
    current.bestIteration = iteration;
    return 'continue';
  }
  state.sinceBest++;
  return state.sinceBest >= patience ? 'next' : 'continue';
}

/** Ends the current stage at `iteration` and starts the next; returns false when there is none (training is over). */
export function nextStage(state: CurriculumState, stages: Stage[], iteration: number): boolean {
  state.history[state.stage].endIteration = iteration;
  if (state.stage + 1 >= stages.length) return false;
  state.stage++;
  state.sinceBest = 0;
  state.history.push({ ...stages[state.stage], startIteration: iteration, endIteration: null, bestLoss: null, bestIteration: null });
  return true;
}
