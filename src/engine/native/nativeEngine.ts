/**
 * The native engine: the C++ kernels (`addon.ts`) on plain arrays. The LSTM's rows are worked
 * on by the addon's own thread pool (`threads`), with the same numbers on any number of threads.
 * A recording keeps the steps' activations when they fit in `ACTIVATION_BUDGET_BYTES` (the
 * quadratics' 1,280 rows × 20 steps take 31 MB), and otherwise only the rows' starting states
 * and input gradients, which the kernel replays row by row in the CPU cache (MNIST): both give
 * the same numbers.
 */
import type { LstmConfig } from '../../learned/lstmConfig.ts';
import { copyRowStates, requireParams, zeroRowStates, type Engine, type LstmKernel, type LstmStates, type LstmWeights, type MlpKernel, type Recording, type RowStates } from '../engine.ts';
import { addonConfig, type Addon, type AddonConfig } from './addon.ts';

/** Most bytes of activations a recording keeps to skip the replay (more would count against peak memory). */
export const ACTIVATION_BUDGET_BYTES = 64 * 2 ** 20;

interface NativeWeights extends LstmWeights {
  phi: Float32Array;
  addonConfig: AddonConfig;
}

interface NativeStates extends LstmStates {
  count: number;
  arrays: RowStates;
}

interface NativeRecording extends Recording {
  weights: NativeWeights;
  /** Each step's activations, when they fit the budget; else null (replay). */
  caches: Float32Array[] | null;
  /** For a replay: the starting states and the steps' input gradients (and values θ, for parameter inputs). */
  start: RowStates | null;
  inputs: Float32Array[];
  params: Float32Array[];
}

/** The native engine on `addon`, its kernels using `threads` threads. */
export function nativeEngine(addon: Addon, threads: number): Engine {
  const mlp: MlpKernel = {
    lossAndGrad: (sizes, activation, params, data, indices, grads) => addon.mlpLossAndGrad(sizes, activation, params, data.pixels, data.labels, indices, grads),
  };
  return { name: 'native', threads, lstm: nativeLstm(addon, threads), mlp, close: async () => {} };
}

/** The LSTM on the addon. */
function nativeLstm(addon: Addon, threads: number): LstmKernel {
  // Activation arrays of finished recordings, for the next one: allocating (and collecting)
  // 31 MB per truncation would cost more than keeping the activations saves.
  const spare: Float32Array[] = [];
  const spareArray = (size: number) => {
    const i = spare.findIndex((a) => a.length === size);
    if (i >= 0) return spare.splice(i, 1)[0];
    spare.length = 0; // the task changed size: let the old ones go
    return new Float32Array(size);
  };
  const cacheFloats = (config: AddonConfig) => addon.cacheFloats(config);

  return {
    weights(config: LstmConfig, phi: Float32Array): LstmWeights {
      return { config, phi, addonConfig: addonConfig(config) } as NativeWeights;
    },

    states(config: LstmConfig, rows: number, from?: RowStates): LstmStates {
      return { config, rows, count: from?.count ?? 0, arrays: from ? copyRowStates(from) : zeroRowStates(config, rows) } as NativeStates;
    },

    read(states: LstmStates): RowStates {
      const s = states as NativeStates;
      return copyRowStates({ ...s.arrays, count: s.count });
    },

    step(weights: LstmWeights, states: LstmStates, grads: Float32Array, recording?: Recording, params?: Float32Array): Float32Array {
      const w = weights as NativeWeights;
      const s = states as NativeStates;
      const r = recording as NativeRecording | undefined;
      const updates = new Float32Array(s.rows);
      const cache = r?.caches ? spareArray(s.rows * cacheFloats(w.addonConfig)) : null;
      const { h, c, m, v } = s.arrays;
      const theta = w.addonConfig.params ? requireParams(params, s.rows) : null;
      addon.forward(w.addonConfig, w.phi, s.count, grads, h, c, m ?? null, v ?? null, updates, threads, cache, theta);
      if (r?.caches) r.caches.push(cache!);
      else if (r) {
        r.inputs.push(grads.slice());
        if (theta) r.params.push(theta.slice());
      }
      s.count++;
      return updates;
    },

    record(weights: LstmWeights, states: LstmStates, steps: number): Recording {
      const w = weights as NativeWeights;
      const keep = states.rows * cacheFloats(w.addonConfig) * 4 * steps <= ACTIVATION_BUDGET_BYTES;
      const s = states as NativeStates;
      return { steps, weights: w, caches: keep ? [] : null, start: keep ? null : copyRowStates({ ...s.arrays, count: s.count }), inputs: [], params: [] } as NativeRecording;
    },

    metaGradient(recording: Recording, dUpdates: Float32Array[]): Float32Array {
      const r = recording as NativeRecording;
      const { addonConfig: config, phi } = r.weights;
      let grad: Float32Array;
      if (r.caches) {
        grad = addon.backward(config, phi, r.caches, dUpdates, threads);
      } else {
        const { count, h, c, m, v } = r.start!;
        grad = addon.metaGradient(config, phi, count, r.inputs, dUpdates, h, c, m ?? null, v ?? null, threads, config.params ? r.params : null);
      }
      release(r);
      return grad;
    },

    release(...handles) {
      for (const h of handles) if (h && 'caches' in h) release(h as NativeRecording);
    },
  };

  function release(r: NativeRecording): void {
    if (r.caches) spare.push(...r.caches.splice(0));
    r.inputs = [];
    r.params = [];
  }
}
