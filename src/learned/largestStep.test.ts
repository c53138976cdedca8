import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { largestStep } from './largestStep.ts';
import { initMetaParams, metaParamCount, metaParamViews, type LstmConfig } from './lstmConfig.ts';
import { selectEngine } from '../engine/select.ts';
import { learnedOptimizer } from './learnedOptimizer.ts';
import { Rng } from '../random/rng.ts';
import { setupBackend } from '../testing/setup.ts';

/** φ of `config` with the head set to `w` (row-major [units, outputs]) and `b`, the rest 0. */
function withHead(config: LstmConfig, w: number[], b: number[]): Float32Array {
  const phi = new Float32Array(metaParamCount(config));
  for (const [name, , view] of metaParamViews(config, phi)) {
    if (name === 'head.w') view.set(w);
    if (name === 'head.b') view.set(b);
  }
  return phi;
}

describe('largestStep', () => {
  before(setupBackend);

  it('is the output scale times Σ|w| + |b| of the head (worked by hand)', () => {
    const config: LstmConfig = { hidden: [3, 2], inputs: 'gradient', preprocessP: 10, outputScale: 0.5, forgetBias: 1 };
    const bound = largestStep(config, withHead(config, [1, -2], [0.5]));
    assert.equal(bound.directionRange, 3.5);
    assert.equal(bound.step, 1.75);
    assert.equal(bound.magnitudeRange, undefined);
  });

  it('with a magnitude output, also e^(λ·(Σ|w_m| + |b_m|)) (worked by hand)', () => {
    const config: LstmConfig = { hidden: [2], inputs: 'adam', preprocessP: 10, outputScale: 0.5, forgetBias: 1, magnitude: 2 };
    // Unit 0 → (d, m) = (1, 0.5), unit 1 → (−2, −1); biases (0.5, 0.25).
    const bound = largestStep(config, withHead(config, [1, 0.5, -2, -1], [0.5, 0.25]));
    assert.equal(bound.directionRange, 3.5);
    assert.equal(bound.magnitudeRange, 1.75);
    assert.ok(Math.abs(bound.step - 0.5 * 3.5 * Math.exp(3.5)) < 1e-9, `step ${bound.step}`);
  });

  it('bounds every update the optimizer writes, and an LSTM whose gates saturate reaches it', () => {
    const engine = selectEngine({ kernel: 'tfjs' });
    const config: LstmConfig = { hidden: [20, 20], inputs: 'gradient', preprocessP: 10, outputScale: 0.1, forgetBias: 1 };
    const rng = new Rng(4);
    const grads = Array.from({ length: 30 }, () => Float32Array.from({ length: 64 }, () => rng.normal() * 10 ** (4 * rng.uniform() - 2)));
    const largestUpdate = (phi: Float32Array) => {
      const optimizer = learnedOptimizer(config, phi, engine);
      const state = optimizer.init(64);
      let largest = 0;
      for (const grad of grads) for (const u of optimizer.update(grad, state)) largest = Math.max(largest, Math.abs(u));
      return largest;
    };
    // A drawn φ stays below the bound, on gradients from 10⁻² to 10².
    const drawn = initMetaParams(config, new Rng(3));
    const drawnUpdate = largestUpdate(drawn);
    assert.ok(drawnUpdate > 0 && drawnUpdate <= largestStep(config, drawn).step, `largest update ${drawnUpdate}`);
    // Every gate bias 20 (i, f, o → 1, g → 1): c grows by 1 a step, h = tanh(c) → 1 on every
    // unit, and with a positive head the output tends to Σ|w| + |b| itself.
    const saturated = new Float32Array(drawn);
    for (const [name, , view] of metaParamViews(config, saturated)) {
      if (name.startsWith('lstm') && name.endsWith('.b')) view.fill(20);
      if (name.startsWith('head')) for (let i = 0; i < view.length; i++) view[i] = Math.abs(view[i]) + 0.01;
    }
    const { step } = largestStep(config, saturated);
    const reached = largestUpdate(saturated);
    assert.ok(reached <= step * (1 + 1e-6) && reached > 0.999 * step, `largest update ${reached}, bound ${step}`);
  });
});
