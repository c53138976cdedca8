/**
 * Meta-training's validation: the learned optimizer on a fixed set of fresh optimizees (drawn
 * once from the run's seed), for a given horizon; its mean loss curve. One batch in this thread,
 * or several batches (streams `validation-chunk<k>`) that a runner such as an `EvalPool` can
 * evaluate in parallel — a different validation set than one batch, so part of a run's recipe.
 */
import type { Engine } from '../engine/engine.ts';
import { concatRuns } from '../eval/stats.ts';
import { localRunner, lstmContender, type UnrollJob, type UnrollRunner } from '../eval/unrollJob.ts';
import { learnedOptimizer } from '../learned/learnedOptimizer.ts';
import type { LstmConfig } from '../learned/lstmConfig.ts';
import { Rng } from '../random/rng.ts';
import { MixtureFamily, type MixtureComponent } from '../tasks/mixture.ts';
import type { TaskFamily } from '../tasks/task.ts';
import { meanCurve, unroll } from '../unroll/unroll.ts';

/** The validation set's settings. */
export interface ValidationSettings {
  seed: number;
  lstm: LstmConfig;
  validationMembers: number;
  /** Batches the validation optimizees are drawn in (default 1). */
  validationChunks?: number;
  /**
   * How a mixture's components' curves are combined, step by step: 'arithmetic' (default) their
   * mean, 'geometric' the exponential of their mean log (each component's relative gain counts
   * the same, as ratios to a baseline do).
   */
  validationMean?: ValidationMean;
  /** A mixture's component also validated at a longer horizon, as one more component (absent: none). */
  validationLong?: LongValidation;
}

/** How a mixture's validation curves are combined; see `ValidationSettings.validationMean`. */
export type ValidationMean = 'arithmetic' | 'geometric';

/**
 * A long-horizon validation member: component `component` of the mixture run for `steps` steps,
 * whatever the stage's horizon T; its curve enters resampled onto steps 0..T (its step
 * round(t·steps/T) at t), so that step T is its step `steps`.
 */
export interface LongValidation {
  component: string;
  steps: number;
}

/** A validator: the mean loss curve (steps 0..horizon) of φ on the validation set; `dispose` when done. */
export interface Validator {
  curve(phi: Float32Array, horizon: number): Promise<number[]>;
  dispose(): void;
}

/**
 * The validator of a run: one batch evaluated here, or chunks evaluated by `runner` (default:
 * here). A mixture is validated on every component (at least 4 optimizees each, its own seed
 * stream), the components' mean curves combined with equal weight (`validationMean`), with the
 * long-horizon member (`validationLong`) as one more component.
 */
export function validator(engine: Engine, family: TaskFamily, settings: ValidationSettings, runner?: UnrollRunner): Validator {
  if (family instanceof MixtureFamily) {
    const { validationMean: _mean, validationLong: long, ...plain } = settings;
    const part = (c: MixtureComponent, stream: string) =>
      validator(engine, c.family, { ...plain, seed: new Rng(settings.seed).child(stream).int(2 ** 31), validationMembers: Math.max(c.members, 4), validationChunks: c.members >= 8 ? 1 : 2 }, runner);
    const parts = family.components.map((c) => part(c, `validation-${c.id}`));
    const longComponent = long && family.components.find((c) => c.id === long.component);
    if (long && !longComponent) throw new Error(`the long validation member '${long.component}' is not a component of the mixture (${family.components.map((c) => c.id).join(', ')})`);
    const longPart = long && longComponent ? { steps: long.steps, validator: part(longComponent, `validation-long-${longComponent.id}`) } : undefined;
    const combine = settings.validationMean === 'geometric' ? geometricMean : arithmeticMean;
    return {
      async curve(phi, horizon) {
        // The long member runs beside the others (on the runner's threads), not after them.
        const curves = await Promise.all([
          ...parts.map((p) => p.curve(phi, horizon)),
          ...(longPart ? [longPart.validator.curve(phi, longPart.steps).then((c) => resample(c, horizon))] : []),
        ]);
        return curves[0].map((_, t) => combine(curves.map((c) => c[t])));
      },
      dispose: () => [...parts, ...(longPart ? [longPart.validator] : [])].forEach((p) => p.dispose()),
    };
  }
  const chunks = Math.min(settings.validationChunks ?? 1, settings.validationMembers);
  if (chunks === 1) {
    const rng = new Rng(settings.seed);
    const task = family.sample(rng.child('validation'), settings.validationMembers);
    const theta0 = task.init(rng.child('validation-init'));
    return {
      curve: async (phi, horizon) => meanCurve(unroll(task, learnedOptimizer(settings.lstm, phi, engine), theta0, horizon, { finalMetrics: false })),
      dispose: () => task.dispose?.(),
    };
  }
  return {
    async curve(phi, horizon) {
      const jobs: UnrollJob[] = Array.from({ length: chunks }, (_, k) => ({
        contender: 0,
        seed: settings.seed,
        stream: `validation-chunk${k}`,
        members: Math.floor(settings.validationMembers / chunks) + (k < settings.validationMembers % chunks ? 1 : 0),
        steps: horizon,
        finalMetrics: false,
      }));
      const results = await (runner ?? localRunner(engine)).run(family, [lstmContender('lstm', settings.lstm, phi, engine)], jobs);
      return meanCurve({ losses: concatRuns(results.map((r) => r.losses)) });
    },
    dispose: () => {},
  };
}

function arithmeticMean(xs: number[]): number {
  return xs.reduce((sum, x) => sum + x, 0) / xs.length;
}

function geometricMean(xs: number[]): number {
  return Math.exp(xs.reduce((sum, x) => sum + Math.log(x), 0) / xs.length);
}

/** A curve of steps 0..S resampled onto steps 0..T: its step round(t·S/T) at t. */
export function resample(curve: number[], steps: number): number[] {
  const from = curve.length - 1;
  return Array.from({ length: steps + 1 }, (_, t) => curve[Math.round((t * from) / steps)]);
}

/**
 * Which validation number picks the best optimizer; 'last' picks none: the φ of the latest
 * validation is kept (a fine-tune of a fixed length), scored at the final step for the log.
 */
export type ValidationMetric = 'mean' | 'final' | 'tail' | 'last';

/**
 * The number that picks the best optimizer from a validation curve (`curve[t]`: mean loss after
 * t steps, t = 0..T): 'mean' over steps 1..T, 'final' at step T, 'tail' the mean over the last
 * half, steps ⌊T/2⌋+1..T (less noisy than one step, and only the steps late training is judged on);
 * 'last' scores as 'final'.
 */
export function validationScore(curve: ArrayLike<number>, metric: ValidationMetric): number {
  const steps = curve.length - 1;
  const from = metric === 'final' || metric === 'last' ? steps : metric === 'tail' ? Math.floor(steps / 2) + 1 : 1;
  let sum = 0;
  for (let t = from; t <= steps; t++) sum += curve[t];
  return sum / (steps - from + 1);
}
