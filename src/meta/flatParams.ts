/**
 * The meta-optimizer's step on φ as one flat array. φ is 26 small tensors (for the paper's LSTM);
 * Adam and gradient clipping on TensorFlow.js would cost one op per tensor and formula (or joins
 * and splits), each costing about the same whatever its size — milliseconds per truncation. On
 * one plain array they cost microseconds; φ goes back into tensors once per step. The step is
 * `optimizers/adam.ts`'s `adamRule`, on float64 gradients and updates with float32 moments; the
 * order is `metaParamShapes` order. Checkpoints keep the state split into φ's shapes, as an `OptState`.
 */
import * as tf from '@tensorflow/tfjs';
import { adamRule } from '../optimizers/adam.ts';
import type { OptState } from '../optimizers/optimizer.ts';

/** The meta-optimizer's state over the flat φ: the step count and Adam's moments. */
export interface MetaAdamState {
  count: number;
  m: Float32Array;
  v: Float32Array;
}

/** The tensors' values one after another in one new array. */
export function joinValues(tensors: tf.Tensor[]): Float32Array {
  const out = new Float32Array(tensors.reduce((n, t) => n + t.size, 0));
  let offset = 0;
  for (const t of tensors) {
    out.set(t.dataSync() as Float32Array, offset);
    offset += t.size;
  }
  return out;
}

/** A flat array cut into new tensors of `shapes` (the inverse of `joinValues`). */
export function splitValues(flat: Float32Array, shapes: number[][]): tf.Tensor[] {
  let offset = 0;
  return shapes.map((shape) => {
    const size = shape.reduce((a, b) => a * b, 1);
    return tf.tensor(flat.subarray(offset, (offset += size)), shape);
  });
}

/** The state before the first step, for φ of `size` values. */
export function initMetaAdam(size: number): MetaAdamState {
  return { count: 0, m: new Float32Array(size), v: new Float32Array(size) };
}

/** The state as an Adam `OptState` over tensors of `shapes` (new tensors; for checkpoints). */
export function metaAdamToOptState(state: MetaAdamState, shapes: number[][]): OptState {
  return { count: state.count, slots: { m: splitValues(state.m, shapes), v: splitValues(state.v, shapes) } };
}

/** The state from an Adam `OptState` over φ's tensors (a restored checkpoint); not disposed. */
export function metaAdamFromOptState(state: OptState): MetaAdamState {
  const { m, v } = state.slots;
  if (!m || !v) throw new Error("checkpoint's meta-optimizer state lacks Adam's slots m and v");
  return { count: state.count, m: joinValues(m), v: joinValues(v) };
}

/**
 * One Adam step with learning rate `learningRate` on `phi` (flat, changed in place) with gradient
 * `grad` scaled to global norm ≤ maxNorm (0: not clipped); `state` advances in place. Returns
 * false, changing nothing, when the gradient is not finite.
 */
export function metaAdamStep(phi: Float32Array, grad: Float32Array, state: MetaAdamState, learningRate: number, maxNorm: number): boolean {
  let squares = 0;
  for (const g of grad) squares += g * g;
  const norm = Math.sqrt(squares);
  if (!Number.isFinite(norm)) return false;
  const scale = maxNorm > 0 && norm > maxNorm ? maxNorm / norm : 1;
  const t = state.count + 1;
  const updates = new Float64Array(phi.length);
  adamRule(learningRate)(t, Float64Array.from(grad, (g) => g * scale), [state.m, state.v], updates);
  for (let i = 0; i < phi.length; i++) phi[i] += updates[i];
  state.count = t;
  return true;
}
