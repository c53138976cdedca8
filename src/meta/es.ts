/**
 * Evolution strategies (ES) in place of the paper's meta-gradient: an estimate of the gradient
 * of the true meta-loss of a whole horizon, which holds nothing constant. The paper's
 * meta-gradient treats the optimizee's gradients as constants; once the learned optimizer is
 * good, that gradient can point uphill on the true meta-loss (`descentCheck.ts`). ES only runs
 * the optimizer forward, so it sees every effect of φ, at the price of noise.
 *
 * Antithetic ES with common random numbers: pair k draws its own task sample (`startGroup`) and
 * a direction εk; both φ + σεk and φ − σεk run the whole horizon on the same task from the same
 * θ0 on the same minibatches, and
 *
 *   g = 1/(2σP) · Σk (F(φ + σεk) − F(φ − σεk)) · εk,
 *
 * F the mean of the meta-objective's terms over the horizon's steps (with `updateFromStep` S,
 * over steps S+1..horizon only: the later part of training).
 *
 * Guided ES (Maheswaranathan et al. 2019, "Guided evolutionary strategies"): with `guide` α > 0
 * the directions are drawn with covariance (1 − α)·I + α·n·uuᵀ, u the unit paper meta-gradient of
 * the horizon on one more task sample (a surrogate that may be biased): then g estimates
 * ((1 − α)·I + α·n·uuᵀ)·∇F, a descent direction that favours the surrogate's subspace and still
 * gets the sign of the true slope along it right. α = 0 is plain ES.
 *
 * The meta-step along the estimate is a normalized gradient step (`esStep`), not Adam's: Adam
 * divides each value by its own running scale, which turns a noisy or guided estimate into
 * roughly its sign vector, and that need not descend even where the estimate does.
 */
import type { Engine } from '../engine/engine.ts';
import type { Rng } from '../random/rng.ts';
import { metaParamShapes, type LstmConfig } from '../learned/lstmConfig.ts';
import { sizeOfShape, type TaskFamily } from '../tasks/task.ts';
import { groupRng, startGroup, type GroupSettings } from './groups.ts';
import { loadOptimizee, releaseOptimizee, saveOptimizee, truncation } from './truncation.ts';

/** Settings of ES meta-steps. */
export interface EsSettings {
  /** Antithetic pairs per meta-step, each on its own task sample. */
  pairs: number;
  /** Perturbation scale σ: φ ± σε, with E‖ε‖² = the number of values in φ. */
  sigma: number;
  /** α: the fraction of the perturbations' variance along the paper's meta-gradient (Guided ES; 0: plain ES). */
  guide: number;
  /**
   * The meta-parameters ES perturbs and steps, by name prefix (`metaParamShapes`: e.g. 'head'
   * for the output layer, 'lstm1' for the second LSTM layer); absent: all of φ.
   */
  params?: string[];
}

/** The positions in φ of the meta-parameters whose names start with one of `prefixes` (absent: every position). */
export function esPositions(config: LstmConfig, prefixes?: string[]): Int32Array {
  const positions: number[] = [];
  let offset = 0;
  for (const [name, shape] of metaParamShapes(config)) {
    const size = sizeOfShape(shape);
    if (!prefixes || prefixes.some((p) => name.startsWith(p))) for (let i = 0; i < size; i++) positions.push(offset + i);
    offset += size;
  }
  return Int32Array.from(positions);
}

/** What an ES meta-step needs of the run's configuration. */
export interface EsIterationSettings extends GroupSettings {
  unrollLength: number;
  es: EsSettings;
  /** F counts only the steps after this one (absent: 0, the whole horizon). */
  updateFromStep?: number;
}

/** What one ES estimate gives. */
export interface EsEstimate {
  /** The estimate of ∂F/∂φ, or null when no pair had finite meta-losses. */
  metaGrad: Float32Array | null;
  /** Mean member loss after each step of the horizon, averaged over every finite run (both signs of every pair). */
  losses: number[];
  /** Pairs left out because a run's meta-loss was not finite. */
  dropped: number;
  /** How many of φ's values the estimate covers (`EsSettings.params`; the rest are zero). */
  moved: number;
}

/**
 * A perturbation direction of `n` values: √(1 − α)·z + √(α·n)·z₁·u with z ~ N(0, I), z₁ ~ N(0, 1)
 * and u = `guide` normalized, so E[εεᵀ] = (1 − α)·I + α·n·uuᵀ and E‖ε‖² = n. Without a guide
 * (null or all zeros), plain N(0, I).
 */
export function esDirection(rng: Rng, n: number, alpha: number, guide: Float32Array | null): Float32Array {
  const z = rng.normalArray(n);
  const norm = guide ? Math.sqrt(guide.reduce((s, x) => s + x * x, 0)) : 0;
  if (!guide || alpha === 0 || !(norm > 0)) return z;
  const along = rng.normal() * Math.sqrt(alpha * n);
  const keep = Math.sqrt(1 - alpha);
  for (let i = 0; i < n; i++) z[i] = keep * z[i] + (along * guide[i]) / norm;
  return z;
}

/** `esDirection` over the values at `positions` of a vector of `size` (the guide read there), zeros elsewhere. */
function directionAt(rng: Rng, size: number, positions: Int32Array, alpha: number, guide: Float32Array | null): Float32Array {
  const local = esDirection(rng, positions.length, alpha, guide ? Float32Array.from(positions, (i) => guide[i]) : null);
  if (positions.length === size) return local;
  const out = new Float32Array(size);
  positions.forEach((i, k) => (out[i] = local[k]));
  return out;
}

/**
 * The ES estimate of the gradient of F (the meta-objective averaged over a horizon of `horizon`
 * steps) at φ for meta-iteration `iteration`; every draw comes from the run's seed and the
 * iteration. `between` runs after each pair (signals, timers).
 */
export async function esMetaGradient(
  engine: Pick<Engine, 'lstm'>,
  family: TaskFamily,
  settings: EsIterationSettings,
  phi: Float32Array,
  iteration: number,
  horizon: number,
  between: () => Promise<void> = async () => {},
): Promise<EsEstimate> {
  const { pairs, sigma, guide: alpha } = settings.es;
  const config = settings.lstm;
  const n = phi.length;
  const positions = esPositions(config, settings.es.params);
  const from = settings.updateFromStep ?? 0;
  if (from >= horizon) throw new Error(`ES counts the steps after ${from}: the horizon of ${horizon} has none`);
  const rng = groupRng(settings.seed, iteration, 0).child('es');
  const surrogate = alpha > 0 ? paperMetaGradient(engine, family, settings, phi, iteration, horizon, pairs) : null;
  const estimate = new Float64Array(n);
  const curve = new Float64Array(horizon);
  let runs = 0;
  let used = 0;
  for (let k = 0; k < pairs; k++) {
    const epsilon = directionAt(rng.child(`pair${k}`), n, positions, alpha, surrogate);
    const { task, state } = startGroup(engine, family, settings, iteration, k);
    const start = saveOptimizee(engine, state);
    releaseOptimizee(engine, state);
    const meta: number[] = [];
    const curves: number[][] = [];
    for (const sign of [1, -1]) {
      const perturbed = new Float32Array(n);
      for (let i = 0; i < n; i++) perturbed[i] = phi[i] + sign * sigma * epsilon[i];
      const run = loadOptimizee(engine, config, start);
      try {
        const learned = { config, phi: perturbed };
        const early = from > 0 ? truncation(engine, learned, task, run, from, { train: false }).losses : [];
        const result = truncation(engine, learned, task, run, horizon - from, { objective: settings.metaObjective, train: false });
        meta.push(result.objectiveSum / (horizon - from));
        curves.push([...early, ...result.losses]);
      } finally {
        releaseOptimizee(engine, run);
      }
    }
    task.dispose?.();
    if (meta.every(Number.isFinite)) {
      const weight = (meta[0] - meta[1]) / (2 * sigma);
      for (let i = 0; i < n; i++) estimate[i] += weight * epsilon[i];
      used++;
    }
    for (const c of curves) {
      if (!c.every(Number.isFinite)) continue;
      for (let s = 0; s < horizon; s++) curve[s] += c[s];
      runs++;
    }
    await between();
  }
  const losses = Array.from(curve, (x) => (runs ? x / runs : NaN));
  if (used === 0) return { metaGrad: null, losses, dropped: pairs, moved: positions.length };
  return { metaGrad: Float32Array.from(estimate, (x) => x / used), losses, dropped: pairs - used, moved: positions.length };
}

/**
 * The paper's meta-gradient of the whole horizon at a fixed φ (truncations of `unrollLength`
 * steps, summed, φ not updated) on task sample `group` of the iteration: Guided ES's surrogate.
 */
function paperMetaGradient(engine: Pick<Engine, 'lstm'>, family: TaskFamily, settings: EsIterationSettings, phi: Float32Array, iteration: number, horizon: number, group: number): Float32Array {
  const { task, state } = startGroup(engine, family, settings, iteration, group);
  const sum = new Float32Array(phi.length);
  try {
    for (let t = 0; t < horizon; t += settings.unrollLength) {
      const length = Math.min(settings.unrollLength, horizon - t);
      const { metaGrad } = truncation(engine, { config: settings.lstm, phi }, task, state, length, { objective: settings.metaObjective });
      for (let i = 0; i < sum.length; i++) sum[i] += metaGrad![i];
    }
  } finally {
    releaseOptimizee(engine, state);
    task.dispose?.();
  }
  return sum;
}

/**
 * A normalized gradient step: φ ← φ − lr·√m·g/‖g‖ for an estimate g over m of φ's values (zero
 * elsewhere; default m: all of φ), a step of root-mean-square size lr per value it moves (φ
 * changed in place). False, with φ unchanged, for a non-finite or zero estimate.
 */
export function esStep(phi: Float32Array, estimate: Float32Array, learningRate: number, moved = phi.length): boolean {
  let squares = 0;
  for (const x of estimate) squares += x * x;
  if (!(squares > 0) || !Number.isFinite(squares)) return false;
  const scale = (learningRate * Math.sqrt(moved)) / Math.sqrt(squares);
  for (let i = 0; i < phi.length; i++) phi[i] -= scale * estimate[i];
  return true;
}
