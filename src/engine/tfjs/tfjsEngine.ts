/**
 * The TensorFlow.js engine: the LSTM on TensorFlow.js's current backend (wasm or cpu in Node;
 * WebGPU, WebGL, wasm or cpu in a browser) and no MLP kernel, so MNIST networks compute their
 * loss and gradient on TensorFlow.js too. The browser's engine, and Node's without a compiler.
 */
import type { Engine } from '../engine.ts';
import { DEFAULT_REPLAY_ROWS, tfjsLstm } from './tfjsLstm.ts';

/** The TensorFlow.js engine; its meta-gradient replays `replayRows` coordinate rows at a time. */
export function tfjsEngine(replayRows = DEFAULT_REPLAY_ROWS): Engine {
  return { name: 'tfjs', threads: 1, lstm: tfjsLstm(replayRows), mlp: null, close: async () => {} };
}
