/**
 * The coordinatewise LSTM optimizer m(∇t, ht; φ) of Andrychowicz et al. (2016), §2.1:
 * every coordinate of every parameter tensor is one row of a batch run through the same LSTM,
 * and the head's output is that coordinate's update: θ(t+1) = θ(t) + m(∇t, ht; φ).
 *
 * `lstmOptimizer(config, φ)` is an ordinary `Optimizer`; evaluation code calls it like any
 * other optimizer, and the reference meta-gradient calls it (on TensorFlow.js, no kernel) with φ
 * on a gradient tape. With `config.base`, a hand-designed optimizer's step is added to the
 * LSTM's (`baseStep.ts`).
 */
import * as tf from '@tensorflow/tfjs';
import type { ArrayStepper, OptState, Optimizer, UpdateResult } from '../optimizers/optimizer.ts';
import { baseOptimizer, baseStateOf, withBaseState } from './baseStep.ts';
import { lstmForward, type LstmStates } from './lstmCell.ts';
import { metaParamShapes, type LstmConfig, type MetaParams } from './lstmConfig.ts';
import { concatArrays, kernelThreads, lstmRowKernel, type LstmRowKernel, type RowStates } from './rowKernel.ts';

/** The state slot names: h0, c0, h1, c1, … for each layer, then m, v for 'adam' inputs. */
export function stateSlotNames(config: LstmConfig): string[] {
  return [...config.hidden.flatMap((_, l) => [`h${l}`, `c${l}`]), ...(config.inputs === 'adam' ? ['m', 'v'] : [])];
}

/** The LSTM states of parameter `i` held in an optimizer state. */
export function statesOf(config: LstmConfig, state: OptState, i: number): LstmStates {
  return {
    h: config.hidden.map((_, l) => state.slots[`h${l}`][i] as tf.Tensor2D),
    c: config.hidden.map((_, l) => state.slots[`c${l}`][i] as tf.Tensor2D),
    ...(config.inputs === 'adam' ? { m: state.slots.m[i] as tf.Tensor2D, v: state.slots.v[i] as tf.Tensor2D } : {}),
  };
}

/** An optimizer state from the LSTM states of each parameter. */
export function stateFrom(config: LstmConfig, count: number, perParam: LstmStates[]): OptState {
  const slots: Record<string, tf.Tensor[]> = {};
  config.hidden.forEach((_, l) => {
    slots[`h${l}`] = perParam.map((s) => s.h[l]);
    slots[`c${l}`] = perParam.map((s) => s.c[l]);
  });
  if (config.inputs === 'adam') {
    slots.m = perParam.map((s) => s.m!);
    slots.v = perParam.map((s) => s.v!);
  }
  return { count, slots };
}

/**
 * The learned optimizer for meta-parameters `phi` (not copied: the caller keeps them alive).
 * Its steps run on `kernel` (by default the registered row kernel: the native one in Node) or,
 * when that is null, on TensorFlow.js — which is what a gradient tape through φ needs.
 */
export function lstmOptimizer(config: LstmConfig, phi: MetaParams, kernel: LstmRowKernel | null = lstmRowKernel()): Optimizer {
  const kernelUpdate = kernel ? kernelStep(config, phi, kernel) : undefined;
  const base = config.base ? baseOptimizer(config.base) : null;
  const lstmUpdate = (grads: tf.Tensor[], state: OptState): UpdateResult => {
    if (kernelUpdate) return kernelUpdate(grads, state);
    return tf.tidy(() => {
      const outs = grads.map((g, i) => lstmForward(config, phi, g.reshape([g.size, 1]), statesOf(config, state, i), state.count));
      return {
        updates: outs.map((out, i) => out.update.reshape(grads[i].shape)),
        state: stateFrom(config, state.count + 1, outs.map((out) => out.states)),
      };
    });
  };
  return {
    name: 'lstm',
    hyperparams: { ...config },
    // On plain arrays when a kernel does the work (and the base step, if any, has an array form).
    ...(kernel && (!base || base.arrayStepper) ? { arrayStepper: (sizes: number[]) => kernelStepper(config, phi, kernel, sizes, base?.arrayStepper!(sizes)) } : {}),
    init(params: tf.Tensor[]): OptState {
      const zeros = (p: tf.Tensor, units: number) => tf.zeros([p.size, units]) as tf.Tensor2D;
      const moments = (p: tf.Tensor) => (config.inputs === 'adam' ? { m: zeros(p, 1), v: zeros(p, 1) } : {});
      const state = stateFrom(config, 0, params.map((p) => ({ h: config.hidden.map((u) => zeros(p, u)), c: config.hidden.map((u) => zeros(p, u)), ...moments(p) })));
      return base ? withBaseState(state, base.init(params)) : state;
    },
    update(grads: tf.Tensor[], state: OptState, params: tf.Tensor[]): UpdateResult {
      if (!base) return lstmUpdate(grads, state);
      return tf.tidy(() => {
        const lstm = lstmUpdate(grads, state);
        const b = base.update(grads, baseStateOf(state), params);
        return { updates: lstm.updates.map((u, i) => u.add(b.updates[i])), state: withBaseState(lstm.state, b.state) };
      });
    },
  };
}

/** φ's tensors one after another, in `metaParamShapes` order, as kernels take them. */
function flatMetaParams(config: LstmConfig, phi: MetaParams): Float32Array {
  return concatArrays(metaParamShapes(config).map(([name]) => phi[name].dataSync() as Float32Array));
}

/**
 * The LSTM on a row kernel with its states in plain arrays that persist from step to step: all
 * parameters' coordinates are rows of one kernel call. The base step's updates, if any, are added.
 */
function kernelStepper(config: LstmConfig, phi: MetaParams, kernel: LstmRowKernel, sizes: number[], base?: ArrayStepper): ArrayStepper {
  const flatPhi = flatMetaParams(config, phi);
  const rows = sizes.reduce((a, b) => a + b, 0);
  const states: RowStates = {
    h: config.hidden.map((units) => new Float32Array(rows * units)),
    c: config.hidden.map((units) => new Float32Array(rows * units)),
    ...(config.inputs === 'adam' ? { m: new Float32Array(rows), v: new Float32Array(rows) } : {}),
  };
  let count = 0;
  return {
    updates(grads: Float32Array[]): Float32Array[] {
      const all = new Float32Array(rows);
      kernel.forward(config, flatPhi, count++, grads.length === 1 ? grads[0] : concatArrays(grads), states, all, kernelThreads());
      let offset = 0;
      const updates = sizes.map((size) => all.subarray(offset, (offset += size)));
      base?.updates(grads).forEach((b, i) => {
        const u = updates[i];
        for (let j = 0; j < u.length; j++) u[j] += b[j];
      });
      return updates;
    },
  };
}

/**
 * The arrays a kernel step produced, by the state tensor made from them (each parameter's first
 * h), so that the next step reads them back without a copy out of the backend. The next step
 * takes them over (the entry is removed): it updates them in place.
 */
const kernelArrays = new WeakMap<tf.Tensor, RowStates>();

/**
 * Whether the current backend copies the values a tensor is made from (wasm copies them into its
 * heap); others (cpu, webgl) keep the array, which then must not be changed afterwards.
 */
function backendCopiesValues(): boolean {
  return tf.getBackend() === 'wasm';
}

/** `update` on a row kernel: the same step as `lstmForward`, on the gradients' values. */
function kernelStep(config: LstmConfig, phi: MetaParams, kernel: LstmRowKernel): (grads: tf.Tensor[], state: OptState) => UpdateResult {
  const flatPhi = flatMetaParams(config, phi);
  return (grads, state) => {
    const own = backendCopiesValues() ? (a: Float32Array) => a : (a: Float32Array) => a.slice();
    const perParam: LstmStates[] = [];
    const updates = grads.map((g, i) => {
      const rows = g.size;
      const tensors = statesOf(config, state, i);
      // The kernel works in place: on the previous step's arrays, or on copies of the tensors' values.
      let arrays = kernelArrays.get(tensors.h[0]);
      if (arrays) {
        kernelArrays.delete(tensors.h[0]);
      } else {
        const copy = (t: tf.Tensor) => (t.dataSync() as Float32Array).slice();
        arrays = { h: tensors.h.map(copy), c: tensors.c.map(copy), ...(tensors.m ? { m: copy(tensors.m), v: copy(tensors.v!) } : {}) };
      }
      const values = new Float32Array(rows);
      kernel.forward(config, flatPhi, state.count, g.dataSync() as Float32Array, arrays, values, kernelThreads());
      const next: LstmStates = {
        h: arrays.h.map((a, l) => tf.tensor2d(own(a), [rows, config.hidden[l]])),
        c: arrays.c.map((a, l) => tf.tensor2d(own(a), [rows, config.hidden[l]])),
        ...(arrays.m ? { m: tf.tensor2d(own(arrays.m), [rows, 1]), v: tf.tensor2d(own(arrays.v!), [rows, 1]) } : {}),
      };
      kernelArrays.set(next.h[0], arrays);
      perParam.push(next);
      return tf.tensor(values, g.shape);
    });
    return { updates, state: stateFrom(config, state.count + 1, perParam) };
  };
}
