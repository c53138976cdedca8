/**
 * The meta-optimizer: a chain of small transforms over φ's meta-gradient as one flat vector, as
 * optax builds its optimizers (`chain(clip_by_global_norm, scale_by_adam, scale(−lr))`, wrapped
 * in `apply_if_finite`):
 *
 *   applyIfFinite(chain(clipByGlobalNorm(c), scaleByAdam(β1, β2, ε), scaleByLearningRate()))
 *
 * Each transform rewrites the update vector in place (float64) and keeps a typed state. The
 * learning rate comes with each step (`StepContext`): the driver's schedule decays it
 * exponentially and halves it after collapses and repeated faults (`metaTrain.ts`).
 */

/** What a step knows beyond the gradient: the learning rate the schedule gives it. */
export interface StepContext {
  learningRate: number;
}

/** A gradient transformation (optax's `GradientTransformation`) on a flat float64 vector. */
export interface Transform<S> {
  /** The state for a vector of `size` values. */
  init(size: number): S;
  /** Rewrites `updates` in place and advances `state`; false: the step must not be applied. */
  update(updates: Float64Array, state: S, context: StepContext): boolean;
}

/** The global L2 norm of a vector (sum of squares in double precision). */
export function globalNorm(values: ArrayLike<number>): number {
  let squares = 0;
  for (let i = 0; i < values.length; i++) squares += values[i] * values[i];
  return Math.sqrt(squares);
}

/** Scales the vector to global norm ≤ `maxNorm` (optax's `clip_by_global_norm`); 0: never clips. */
export function clipByGlobalNorm(maxNorm: number): Transform<Record<string, never>> {
  return {
    init: () => ({}),
    update(updates) {
      const norm = globalNorm(updates);
      if (maxNorm > 0 && norm > maxNorm) {
        const scale = maxNorm / norm;
        for (let i = 0; i < updates.length; i++) updates[i] *= scale;
      }
      return true;
    },
  };
}

/** Adam's moments over the vector (float32, as in Adam's own implementation) and its step count. */
export interface AdamMoments {
  count: number;
  m: Float32Array;
  v: Float32Array;
}

/**
 * Adam's direction m̂/(√v̂ + ε) (optax's `scale_by_adam`; Kingma & Ba 2015), with bias
 * corrections m̂ = m/(1−β1ᵗ), v̂ = v/(1−β2ᵗ).
 */
export function scaleByAdam(beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8): Transform<AdamMoments> {
  return {
    init: (size) => ({ count: 0, m: new Float32Array(size), v: new Float32Array(size) }),
    update(updates, state) {
      const t = ++state.count;
      const mHatScale = 1 / (1 - beta1 ** t);
      const vHatScale = 1 / (1 - beta2 ** t);
      const { m, v } = state;
      for (let j = 0; j < updates.length; j++) {
        const g = updates[j];
        m[j] = beta1 * m[j] + (1 - beta1) * g;
        v[j] = beta2 * v[j] + (1 - beta2) * g * g;
        updates[j] = (m[j] * mHatScale) / (Math.sqrt(v[j] * vHatScale) + epsilon);
      }
      return true;
    },
  };
}

/** Multiplies by −learning rate (a descent step), the rate coming with each step. */
export function scaleByLearningRate(): Transform<Record<string, never>> {
  return {
    init: () => ({}),
    update(updates, _state, { learningRate }) {
      for (let i = 0; i < updates.length; i++) updates[i] *= -learningRate;
      return true;
    },
  };
}

/** The state of `applyIfFinite`: non-finite steps skipped so far, and the wrapped transform's state. */
export interface FiniteState<S> {
  notFinite: number;
  inner: S;
}

/**
 * Runs `inner` only on finite vectors (optax's `apply_if_finite`): a NaN or infinite value
 * skips the step, counted in `notFinite`, and leaves the inner state as it was.
 */
export function applyIfFinite<S>(inner: Transform<S>): Transform<FiniteState<S>> {
  return {
    init: (size) => ({ notFinite: 0, inner: inner.init(size) }),
    update(updates, state, context) {
      if (!Number.isFinite(globalNorm(updates))) {
        state.notFinite++;
        return false;
      }
      return inner.update(updates, state.inner, context);
    },
  };
}

/** Transforms applied one after the other; the state is theirs, in order. */
export function chain<A, B, C>(a: Transform<A>, b: Transform<B>, c: Transform<C>): Transform<[A, B, C]> {
  return {
    init: (size) => [a.init(size), b.init(size), c.init(size)],
    update: (updates, [sa, sb, sc], context) => a.update(updates, sa, context) && b.update(updates, sb, context) && c.update(updates, sc, context),
  };
}

/** The meta-optimizer's state (see `metaOptimizer`). */
export type MetaOptimizerState = FiniteState<[Record<string, never>, AdamMoments, Record<string, never>]>;

/** The meta-optimizer: Adam on φ after clipping the meta-gradient to global norm `clip` (0: off), finite steps only. */
export function metaOptimizer(clip: number): Transform<MetaOptimizerState> {
  return applyIfFinite(chain(clipByGlobalNorm(clip), scaleByAdam(), scaleByLearningRate()));
}

/**
 * One meta-optimizer step on φ (flat, changed in place) with meta-gradient `grad`; false, with φ
 * unchanged, when the step was skipped (a non-finite meta-gradient).
 */
export function metaStep(transform: Transform<MetaOptimizerState>, phi: Float32Array, grad: Float32Array, state: MetaOptimizerState, context: StepContext): boolean {
  const updates = Float64Array.from(grad);
  if (!transform.update(updates, state, context)) return false;
  for (let i = 0; i < phi.length; i++) phi[i] += updates[i];
  return true;
}
