/**
 * The coordinatewise LSTM optimizer m(∇t, ht; φ) of Andrychowicz et al. (2016), §2.1: every
 * coordinate of every parameter tensor is one row of a batch run through the same LSTM, and the
 * head's output is that coordinate's update: θ(t+1) = θ(t) + m(∇t, ht; φ). The rows run on an
 * engine's LSTM kernel (`engine/engine.ts`), which holds their states.
 */
import type { Engine, LstmKernel, LstmStates, LstmWeights } from '../engine/engine.ts';
import { savedArray, type Optimizer } from '../optimizers/optimizer.ts';
import { hasMoments, lstmParams, metaParamCount, type LstmConfig } from './lstmConfig.ts';

/** The names of the LSTM's saved state arrays: h0, c0, h1, c1, … per layer, then m, v for 'adam' and 'both' inputs. */
export function stateArrayNames(config: LstmConfig): string[] {
  return [...config.hidden.flatMap((_, l) => [`h${l}`, `c${l}`]), ...(hasMoments(config) ? ['m', 'v'] : [])];
}

/** The LSTM's state: φ as its engine holds it, and the rows' states (both engine-owned). */
export interface LstmState {
  weights: LstmWeights;
  states: LstmStates;
}

/**
 * The LSTM part of a learned optimizer for meta-parameters `phi` (flat, all of φ; not copied) on
 * `engine`'s kernel. Its state is held by the engine (tensors, on TensorFlow.js): dispose it
 * when done.
 */
export function lstmOptimizer(config: LstmConfig, phi: Float32Array, engine: Pick<Engine, 'lstm'>): Optimizer<LstmState> {
  if (phi.length !== metaParamCount(config)) throw new Error(`φ has ${phi.length} values, the LSTM's configuration needs ${metaParamCount(config)}`);
  const kernel: LstmKernel = engine.lstm;
  const start = (states: LstmStates): LstmState => ({ weights: kernel.weights(config, lstmParams(config, phi)), states });
  return {
    name: 'lstm',
    hyperparams: { ...config },
    readsParams: !!config.paramInput,
    init: (size) => start(kernel.states(config, size)),
    update: (grads, { weights, states }, params) => kernel.step(weights, states, grads, undefined, params),
    save({ states }) {
      const { count, h, c, m, v } = kernel.read(states);
      const arrays: Record<string, Float32Array> = {};
      config.hidden.forEach((_, l) => {
        arrays[`h${l}`] = h[l];
        arrays[`c${l}`] = c[l];
      });
      if (m && v) Object.assign(arrays, { m, v });
      return { count, arrays };
    },
    load(saved, size) {
      const array = (key: string, width: number) => savedArray(saved, key, size * width, 'LSTM');
      return start(kernel.states(config, size, {
        count: saved.count,
        h: config.hidden.map((units, l) => array(`h${l}`, units)),
        c: config.hidden.map((units, l) => array(`c${l}`, units)),
        ...(hasMoments(config) ? { m: array('m', 1), v: array('v', 1) } : {}),
      }));
    },
    dispose: ({ weights, states }) => kernel.release(weights, states),
  };
}
