import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { lstmParamShapes, metaParamCount, PAPER_LSTM, type LstmConfig } from '../learned/lstmConfig.ts';
import { engineCases, makeTestEngine } from '../testing/engines.ts';
import { assertClose, setupBackend } from '../testing/setup.ts';
import type { Engine } from './engine.ts';

// One layer of 2 units, the paper's inputs, a magnitude output with λ = 0.7, output scale 0.1.
// Every LSTM weight and bias is 0, so after one step from c0 each gate is σ(0) = 0.5, g = 0,
// c = 0.5·c0 and h = 0.5·tanh(0.5·c0). The head (w [2, 2] row-major: direction, magnitude per
// unit; b: direction, magnitude) has w_d = (2, 0), w_m = (−1, 0), b_d = 0.5, b_m = 1.2.
// Row 0, c0 = (1, 0): h = (0.2310586, 0), d = 0.5 + 2h₀ = 0.9621172, m = 1.2 − h₀ = 0.9689414,
// update = 0.1·d·e^(0.7m) = 0.1895798. Row 1, c0 = 0: h = 0, update = 0.1·0.5·e^0.84 = 0.1158183.
const config: LstmConfig = { ...PAPER_LSTM, hidden: [2], forgetBias: 0, magnitude: 0.7 };

function phi(): Float32Array {
  const values = new Float32Array(metaParamCount(config));
  const head = lstmParamShapes(config).slice(0, -2).reduce((n, [, shape]) => n + shape.reduce((a, b) => a * b, 1), 0);
  values.set([2, -1, 0, 0, 0.5, 1.2], head);
  return values;
}

for (const { name, skip } of engineCases()) {
  describe(`the head's magnitude output (${name} engine)`, { skip }, () => {
    let engine: Engine;
    before(async () => {
      await setupBackend();
      engine = makeTestEngine(name);
    });
    after(() => engine.close());

    it('has two outputs per coordinate, a direction and a magnitude: update = s·d·e^(λm)', () => {
      assert.deepEqual(lstmParamShapes(config).slice(-2), [['head.w', [2, 2]], ['head.b', [2]]]);
      const kernel = engine.lstm;
      const weights = kernel.weights(config, phi());
      const states = kernel.states(config, 2, { count: 0, h: [new Float32Array(4)], c: [Float32Array.from([1, 0, 0, 0])] });
      const update = kernel.step(weights, states, Float32Array.from([0.3, -0.2]), undefined);
      kernel.release(weights, states);
      assertClose(update, [0.1895798, 0.1158183], { rtol: 1e-5 });
    });
  });
}
