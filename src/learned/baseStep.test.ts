import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { nag } from '../optimizers/momentum.ts';
import { Rng } from '../random/rng.ts';
import { loadNativeKernel, useNativeKernel } from '../native/nativeKernel.ts';
import { assertClose, setupBackend } from '../testing/setup.ts';
import { baseOptimizer } from './baseStep.ts';
import { initMetaParams, PAPER_LSTM, type LstmConfig } from './lstmConfig.ts';
import { lstmOptimizer } from './lstmOptimizer.ts';
import type { LstmRowKernel } from './rowKernel.ts';

const native = loadNativeKernel();
const config: LstmConfig = { ...PAPER_LSTM, base: { optimizer: 'nag', learningRate: 0.3 } };

/** The updates of 4 steps of `optimizer` on a fixed gradient sequence. */
function updatesOf(optimizer: ReturnType<typeof lstmOptimizer>): Float32Array[][] {
  const params = [tf.tensor(new Rng(1).normalArray(6), [2, 3]), tf.tensor(new Rng(2).normalArray(4), [4])];
  const gradsAt = (t: number) => params.map((p, i) => p.mul(0.05 * (t + 1) * (i + 1)).add(0.01));
  let state = optimizer.init(params);
  const out: Float32Array[][] = [];
  for (let t = 0; t < 4; t++) {
    const result = optimizer.update(gradsAt(t), state, params);
    out.push(result.updates.map((u) => u.dataSync() as Float32Array));
    state = result.state;
  }
  return out;
}

for (const [label, kernel] of [['TensorFlow.js', null], ['native kernel', native.kernel]] as Array<[string, LstmRowKernel | null]>) {
  describe(`learned optimizer with a base step (LSTM on ${label})`, { skip: label === 'native kernel' && !native.kernel ? `native kernel not built: ${native.reason}` : false }, () => {
    before(setupBackend);
    after(() => useNativeKernel());

    it('starts as exactly NAG: its head starts at zero', () => {
      const phi = initMetaParams(config, new Rng(3));
      assert.deepEqual(Array.from(phi['head.w'].dataSync()), new Array(20).fill(0));
      const learned = updatesOf(lstmOptimizer(config, phi, kernel));
      const reference = updatesOf(nag(0.3));
      learned.forEach((step, t) => step.forEach((u, i) => assertClose(u, reference[t][i], { rtol: 1e-6, atol: 1e-7, label: `step ${t} param ${i}` })));
    });

    it("is the LSTM's update plus NAG's", () => {
      const phi = initMetaParams({ ...config, base: null }, new Rng(3));
      const both = updatesOf(lstmOptimizer(config, phi, kernel));
      const lstmAlone = updatesOf(lstmOptimizer({ ...config, base: null }, phi, kernel));
      const nagAlone = updatesOf(nag(0.3));
      both.forEach((step, t) => step.forEach((u, i) => {
        const sum = lstmAlone[t][i].map((x, j) => x + nagAlone[t][i][j]);
        assertClose(u, sum, { rtol: 1e-5, atol: 1e-7, label: `step ${t} param ${i}` });
      }));
      assert.ok(Math.abs(both[3][0][0] - nagAlone[3][0][0]) > 1e-4, 'the LSTM part is not zero here');
    });
  });
}

describe('base step', () => {
  it('names the choices when the optimizer is unknown', () => {
    assert.throws(() => baseOptimizer({ optimizer: 'lion', learningRate: 1 }), /unknown base optimizer 'lion': use one of sgd, momentum, nag, rmsprop, adam, adagrad/);
  });
});
