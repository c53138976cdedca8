/**
 * The coordinatewise LSTM's math on a batch of rows (one row per coordinate): a forward step
 * that can keep what its backward step needs, and that backward step, written by hand.
 *
 * Forward, for each layer l with input a (preprocessed gradient, or the layer below's h):
 *   z_k = a·Wx_k + h_prev·Wh_k + b_k   for gates k = i, f, g, o
 *   i, f, o = σ(z_i), σ(z_f), σ(z_o);  g = tanh(z_g)
 *   c = f ⊙ c_prev + i ⊙ g;  h = o ⊙ tanh(c)
 * and the head: update = s · (h_top·w + b) — or, with a magnitude output, its two outputs
 * d = h_top·w_d + b_d and m = h_top·w_m + b_m give update = s · d · e^(λm).
 *
 * The backward step avoids what is slow on TensorFlow.js wasm: no transposed matMul flags (the
 * weights are transposed once), no slicing of activations, and the weight gradients are one
 * large matMul per layer over all steps (`accumulateWeightGrads`) instead of one per step.
 */
import * as tf from '@tensorflow/tfjs';
import { GATES, lstmParamCount, lstmParamShapes, type LstmConfig } from '../../learned/lstmConfig.ts';
import { PARAM_EPSILON, PARAM_P } from '../../learned/preprocess.ts';
import { logAndSign, logMagnitude } from './preprocess.ts';

/** The LSTM's part of φ as named tensors (`lstmParamShapes`), the form the TensorFlow.js math reads. */
export type MetaParams = Record<string, tf.Tensor>;

/** The LSTM's part of flat φ (its first values) as new named tensors (the caller disposes them). */
export function metaParamTensors(config: LstmConfig, phi: Float32Array): MetaParams {
  let offset = 0;
  return Object.fromEntries(
    lstmParamShapes(config).map(([name, shape]) => {
      const size = shape.reduce((a, b) => a * b, 1);
      return [name, tf.tensor(phi.subarray(offset, (offset += size)), shape)];
    }),
  );
}

/** Named tensors back to the LSTM's flat φ (`lstmParamShapes` order). */
export function flatMetaParams(config: LstmConfig, named: MetaParams): Float32Array {
  const out = new Float32Array(lstmParamCount(config));
  let offset = 0;
  for (const [name] of lstmParamShapes(config)) {
    const values = named[name].dataSync() as Float32Array;
    out.set(values, offset);
    offset += values.length;
  }
  return out;
}

/** tanh as 2σ(2x) − 1: the same function, much faster than the native kernel on wasm. */
export function fastTanh(x: tf.Tensor): tf.Tensor2D {
  return x.mul(2).sigmoid().mul(2).sub(1) as tf.Tensor2D;
}

/** Per-layer hidden and cell states of a batch of rows, and Adam moments for 'adam' and 'both' inputs. */
export interface TensorStates {
  h: tf.Tensor2D[];
  c: tf.Tensor2D[];
  /** Running first and second moments of the gradient, [rows, 1] ('adam' and 'both' inputs only). */
  m?: tf.Tensor2D;
  v?: tf.Tensor2D;
}

/** What one layer's forward step keeps for its backward step. */
export interface LayerCache {
  a: tf.Tensor2D;
  hPrev: tf.Tensor2D;
  cPrev: tf.Tensor2D;
  i: tf.Tensor2D;
  f: tf.Tensor2D;
  g: tf.Tensor2D;
  o: tf.Tensor2D;
  tanhC: tf.Tensor2D;
}

/** A forward step's outputs, with what its backward step needs (`caches`, one per layer, and `top`). */
export interface StepOutput {
  /** The update of each row, [rows, 1], already multiplied by the output scale. */
  update: tf.Tensor2D;
  states: TensorStates;
  caches: LayerCache[];
  /** The top layer's h (the head's input). */
  top: tf.Tensor2D;
  /** With a magnitude output: e^(λm), [rows, 1]. */
  magnitude?: tf.Tensor2D;
}

/** Moment decay rates and ε of 'adam' and 'both' inputs (Adam's defaults). */
const ADAM_INPUT = { beta1: 0.9, beta2: 0.999, epsilon: 1e-8 };

/**
 * The LSTM's input features for gradients [rows, 1] at update number `count` (0-based), and the
 * updated Adam moments for 'adam' and 'both' inputs; with parameter inputs, the log-magnitude of
 * the values θ [rows, 1] follows (`learned/preprocess.ts` PARAM_P). Inputs are constants of the meta-gradient: they
 * depend on gradients and θ only.
 */
export function lstmInput(config: LstmConfig, grads: tf.Tensor2D, states: TensorStates, count: number, params?: tf.Tensor2D): { x: tf.Tensor2D; m?: tf.Tensor2D; v?: tf.Tensor2D } {
  const input = gradientInput(config, grads, states, count);
  if (!config.paramInput) return input;
  if (!params) throw new Error('this LSTM reads the parameters θ (paramInput): pass their values with the gradients');
  return { ...input, x: tf.concat([input.x, params.abs().add(PARAM_EPSILON).log().div(PARAM_P)], 1) as tf.Tensor2D };
}

/** The features of the gradients alone (see `lstmInput`). */
function gradientInput(config: LstmConfig, grads: tf.Tensor2D, states: TensorStates, count: number): { x: tf.Tensor2D; m?: tf.Tensor2D; v?: tf.Tensor2D } {
  if (config.inputs === 'gradient') return { x: config.preprocessP === null ? grads : logAndSign(grads, config.preprocessP) };
  const moments = adamInput(grads, states, count);
  if (config.inputs === 'adam') return moments;
  if (config.inputs === 'adam-log') return { ...moments, x: tf.concat([moments.x, logMagnitude(moments.x, config.preprocessP ?? undefined)], 1) as tf.Tensor2D };
  return { ...moments, x: tf.concat([logAndSign(grads, config.preprocessP ?? undefined), moments.x], 1) as tf.Tensor2D };
}

/** RNNprop's features [m̂/√v̂, ∇/√v̂] and the updated moments. */
function adamInput(grads: tf.Tensor2D, states: TensorStates, count: number): { x: tf.Tensor2D; m: tf.Tensor2D; v: tf.Tensor2D } {
  const { beta1, beta2, epsilon } = ADAM_INPUT;
  const m = states.m!.mul(beta1).add(grads.mul(1 - beta1)) as tf.Tensor2D;
  const v = states.v!.mul(beta2).add(grads.square().mul(1 - beta2)) as tf.Tensor2D;
  const t = count + 1;
  const scale = v.div(1 - beta2 ** t).sqrt().add(epsilon);
  const mHat = m.div(1 - beta1 ** t);
  return { x: tf.concat([mHat.div(scale), grads.div(scale)], 1) as tf.Tensor2D, m, v };
}

/**
 * One step of the LSTM for every row, from the gradients [rows, 1] of update number `count` (and
 * the values θ [rows, 1] with parameter inputs). Creates tensors the caller must dispose (use
 * tf.tidy).
 */
export function lstmForward(config: LstmConfig, phi: MetaParams, grads: tf.Tensor2D, states: TensorStates, count: number, params?: tf.Tensor2D): StepOutput {
  const h: tf.Tensor2D[] = [];
  const c: tf.Tensor2D[] = [];
  const caches: LayerCache[] = [];
  const input = lstmInput(config, grads, states, count, params);
  let a = input.x;
  config.hidden.forEach((_, l) => {
    const hPrev = states.h[l];
    const cPrev = states.c[l];
    const [zi, zf, zg, zo] = GATES.map((gate) => {
      const p = `lstm${l}.${gate}`;
      return tf.matMul(a, phi[`${p}.wx`] as tf.Tensor2D).add(tf.matMul(hPrev, phi[`${p}.wh`] as tf.Tensor2D)).add(phi[`${p}.b`]);
    });
    const i = zi.sigmoid() as tf.Tensor2D;
    const f = zf.sigmoid() as tf.Tensor2D;
    const g = fastTanh(zg);
    const o = zo.sigmoid() as tf.Tensor2D;
    const cNext = f.mul(cPrev).add(i.mul(g)) as tf.Tensor2D;
    const tanhC = fastTanh(cNext);
    const hNext = o.mul(tanhC) as tf.Tensor2D;
    caches.push({ a, hPrev, cPrev, i, f, g, o, tanhC });
    h.push(hNext);
    c.push(cNext);
    a = hNext;
  });
  const head = tf.matMul(a, phi['head.w'] as tf.Tensor2D).add(phi['head.b']) as tf.Tensor2D;
  const next = { h, c, ...(input.m ? { m: input.m, v: input.v } : {}) };
  if (!config.magnitude) return { update: head.mul(config.outputScale) as tf.Tensor2D, states: next, caches, top: a };
  const [d, m] = tf.split(head, 2, 1) as [tf.Tensor2D, tf.Tensor2D];
  const e = m.mul(config.magnitude).exp() as tf.Tensor2D;
  return { update: d.mul(e).mul(config.outputScale) as tf.Tensor2D, states: next, caches, top: a, magnitude: e };
}

/** Transposed weights the backward step needs, prepared once per truncation. */
export interface BackwardWeights {
  /** [4H, in] per layer: the gates' Wx transposed and stacked in gate order. */
  wxT: tf.Tensor2D[];
  /** [4H, H] per layer. */
  whT: tf.Tensor2D[];
  /** [outputs, H]: the head's weight transposed. */
  headT: tf.Tensor2D;
}

/** Prepares `BackwardWeights` from φ. */
export function backwardWeights(config: LstmConfig, phi: MetaParams): BackwardWeights {
  return tf.tidy(() => ({
    wxT: config.hidden.map((_, l) => tf.concat(GATES.map((k) => (phi[`lstm${l}.${k}.wx`] as tf.Tensor2D).transpose()), 0) as tf.Tensor2D),
    whT: config.hidden.map((_, l) => tf.concat(GATES.map((k) => (phi[`lstm${l}.${k}.wh`] as tf.Tensor2D).transpose()), 0) as tf.Tensor2D),
    headT: (phi['head.w'] as tf.Tensor2D).transpose() as tf.Tensor2D,
  }));
}

/** Gradients flowing back into a step's states from the step after it. */
export interface StateGrads {
  dh: tf.Tensor2D[];
  dc: tf.Tensor2D[];
}

/** What one step's backward pass produces. */
export interface StepGrads {
  /** Into the previous step's states. */
  states: StateGrads;
  /** Per layer: ∂/∂z of all four gates, [rows, 4H] in gate order. */
  dz: tf.Tensor2D[];
  /** ∂/∂(the head's outputs before scaling), [rows, outputs]. */
  dOut: tf.Tensor2D;
}

/**
 * Back-propagates one step: `dUpdate` is ∂S/∂update of each row, `next` the gradients into this
 * step's output states from later steps (null at the last step).
 */
export function lstmBackward(
  config: LstmConfig,
  weights: BackwardWeights,
  out: StepOutput,
  dUpdate: tf.Tensor2D,
  next: StateGrads | null,
): StepGrads {
  const layers = config.hidden.length;
  // With a magnitude output, update = s·d·e with e = e^(λm): ∂/∂d = s·e·dU and ∂/∂m = λ·update·dU.
  const dOut = out.magnitude
    ? (tf.concat([dUpdate.mul(out.magnitude).mul(config.outputScale), dUpdate.mul(out.update).mul(config.magnitude!)], 1) as tf.Tensor2D)
    : (dUpdate.mul(config.outputScale) as tf.Tensor2D);
  let dh = tf.matMul(dOut, weights.headT) as tf.Tensor2D;
  const dhPrev: tf.Tensor2D[] = new Array(layers);
  const dcPrev: tf.Tensor2D[] = new Array(layers);
  const dz: tf.Tensor2D[] = new Array(layers);
  for (let l = layers - 1; l >= 0; l--) {
    const { cPrev, i, f, g, o, tanhC } = out.caches[l];
    if (next) dh = dh.add(next.dh[l]) as tf.Tensor2D;
    // c = f⊙c_prev + i⊙g;  h = o⊙tanh(c)
    let dc = dh.mul(o).mul(tf.scalar(1).sub(tanhC.square())) as tf.Tensor2D;
    if (next) dc = dc.add(next.dc[l]) as tf.Tensor2D;
    const dzi = dc.mul(g).mul(i.mul(tf.scalar(1).sub(i)));
    const dzf = dc.mul(cPrev).mul(f.mul(tf.scalar(1).sub(f)));
    const dzg = dc.mul(i).mul(tf.scalar(1).sub(g.square()));
    const dzo = dh.mul(tanhC).mul(o.mul(tf.scalar(1).sub(o)));
    dz[l] = tf.concat([dzi, dzf, dzg, dzo], 1) as tf.Tensor2D;
    dcPrev[l] = dc.mul(f) as tf.Tensor2D;
    dhPrev[l] = tf.matMul(dz[l], weights.whT[l]) as tf.Tensor2D;
    if (l > 0) dh = tf.matMul(dz[l], weights.wxT[l]) as tf.Tensor2D;
  }
  return { states: { dh: dhPrev, dc: dcPrev }, dz, dOut };
}

/** One step's forward caches and backward gradients, as `accumulateWeightGrads` needs them. */
export interface StepRecord {
  caches: LayerCache[];
  top: tf.Tensor2D;
  grads: StepGrads;
}

/**
 * ∂S/∂φ from every recorded step: per layer one matMul of the stacked inputs (transposed once)
 * with the stacked gate gradients, then split into the named gate weights.
 */
export function accumulateWeightGrads(config: LstmConfig, records: StepRecord[]): MetaParams {
  return tf.tidy(() => {
    const grads: MetaParams = {};
    config.hidden.forEach((units, l) => {
      const a = tf.concat(records.map((r) => r.caches[l].a), 0).transpose();
      const hPrev = tf.concat(records.map((r) => r.caches[l].hPrev), 0).transpose();
      const dz = tf.concat(records.map((r) => r.grads.dz[l]), 0) as tf.Tensor2D;
      const dWx = tf.split(tf.matMul(a, dz), GATES.length, 1);
      const dWh = tf.split(tf.matMul(hPrev, dz), GATES.length, 1);
      const db = tf.split(columnSums(dz).reshape([GATES.length * units]), GATES.length, 0);
      GATES.forEach((k, j) => {
        grads[`lstm${l}.${k}.wx`] = dWx[j];
        grads[`lstm${l}.${k}.wh`] = dWh[j];
        grads[`lstm${l}.${k}.b`] = db[j].reshape([units]);
      });
    });
    const top = tf.concat(records.map((r) => r.top), 0).transpose();
    const dOut = tf.concat(records.map((r) => r.grads.dOut), 0);
    grads['head.w'] = tf.matMul(top, dOut);
    grads['head.b'] = columnSums(dOut as tf.Tensor2D).reshape([dOut.shape[1]]);
    return grads;
  });
}

/** Sums over rows as a matMul with ones: a reduction over axis 0 is very slow on wasm. */
function columnSums(x: tf.Tensor2D): tf.Tensor2D {
  return tf.matMul(tf.ones([1, x.shape[0]]), x);
}
