import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { PAPER_LSTM } from '../../learned/lstmConfig.ts';
import { assertClose, setupBackend } from '../../testing/setup.ts';
import { lstmInput, type TensorStates } from './lstmCell.ts';

// Two rows, two updates from zero moments: gradients (2, −1) at update 0, then (−1, 3) at update 1.
// Update 0: m = 0.1g = (0.2, −0.1), v = 0.001g² = (0.004, 0.001); m̂ = g, v̂ = g², so m̂/√v̂ = ∇/√v̂ = sgn g.
// Update 1, row 0: m = 0.18 − 0.1 = 0.08, v = 0.003996 + 0.001 = 0.004996; m̂ = 0.08/0.19 = 0.421053,
// v̂ = 0.004996/0.001999 = 2.499250, √v̂ = 1.580902: (0.266337, −0.632550).
// Row 1: m = −0.09 + 0.3 = 0.21, v = 0.000999 + 0.009 = 0.009999; m̂ = 1.105263, v̂ = 5.002001,
// √v̂ = 2.236515: (0.494190, 1.341373).
// log-and-sign (p = 10): 2 → (0.0693147, 1), −1 → (0, −1), 3 → (0.1098612, 1).
// 'adam-log' adds log(|x| + ε)/10 of RNNprop's two: ln 0.266337 = −1.322992 → −0.1322992,
// ln 0.63255 = −0.457996 → −0.0457996, ln 0.49419 → −0.0704835, ln 1.341373 → 0.0293694; ±1 → 0.
function twoUpdates(inputs: 'adam' | 'both' | 'adam-log') {
  const config = { ...PAPER_LSTM, inputs };
  const zeros = tf.zeros([2, 1]) as tf.Tensor2D;
  const states: TensorStates = { h: [], c: [], m: zeros, v: zeros };
  const first = lstmInput(config, tf.tensor2d([2, -1], [2, 1]), states, 0);
  const second = lstmInput(config, tf.tensor2d([-1, 3], [2, 1]), { h: [], c: [], m: first.m!, v: first.v! }, 1);
  return { first: first.x, second: second.x, m: second.m!, v: second.v! };
}

describe('LSTM input features', () => {
  before(setupBackend);

  it("'adam' inputs are Adam's bias-corrected m̂/√v̂ and ∇/√v̂ (RNNprop), with the moments carried", () => {
    const { first, second, m, v } = twoUpdates('adam');
    assert.deepEqual(first.shape, [2, 2]);
    assertClose(first.dataSync(), [1, 1, -1, -1], { rtol: 1e-5 });
    assertClose(second.dataSync(), [0.266337, -0.63255, 0.49419, 1.341373], { rtol: 1e-4 });
    assertClose(m.dataSync(), [0.08, 0.21], { rtol: 1e-5 });
    assertClose(v.dataSync(), [0.004996, 0.009999], { rtol: 1e-5 });
  });

  it("'both' inputs are the paper's two features, then RNNprop's two", () => {
    const { first, second } = twoUpdates('both');
    assert.deepEqual(first.shape, [2, 4]);
    assertClose(first.dataSync(), [0.0693147, 1, 1, 1, 0, -1, -1, -1], { rtol: 1e-4, atol: 1e-6 });
    assertClose(second.dataSync(), [0, -1, 0.266337, -0.63255, 0.1098612, 1, 0.49419, 1.341373], { rtol: 1e-4, atol: 1e-6 });
  });

  it("'adam-log' inputs are RNNprop's two, then the log-magnitude of each", () => {
    const { first, second } = twoUpdates('adam-log');
    assert.deepEqual(first.shape, [2, 4]);
    assertClose(first.dataSync(), [1, 1, 0, 0, -1, -1, 0, 0], { rtol: 1e-4, atol: 1e-6 });
    assertClose(second.dataSync(), [0.266337, -0.63255, -0.1322992, -0.0457996, 0.49419, 1.341373, -0.0704835, 0.0293694], { rtol: 1e-4, atol: 1e-6 });
  });

  it("'adam-log' clips the log-magnitude of a vanishing normalized value at −1", () => {
    // A zero gradient at update 0: m = v = 0, so m̂/√v̂ = ∇/√v̂ = 0/(0 + 1e-8) = 0 and log(ε)/10 = −1.59 → −1.
    const config = { ...PAPER_LSTM, inputs: 'adam-log' as const };
    const zeros = tf.zeros([1, 1]) as tf.Tensor2D;
    const { x } = lstmInput(config, zeros, { h: [], c: [], m: zeros, v: zeros }, 0);
    assertClose(x.dataSync(), [0, 0, -1, -1], { atol: 1e-7 });
  });
});
