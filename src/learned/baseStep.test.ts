import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Engine } from '../engine/engine.ts';
import { nag } from '../optimizers/momentum.ts';
import type { Optimizer } from '../optimizers/optimizer.ts';
import { Rng } from '../random/rng.ts';
import { engineCases, makeTestEngine } from '../testing/engines.ts';
import { assertClose, setupBackend } from '../testing/setup.ts';
import { baseOptimizer } from './baseStep.ts';
import { learnedOptimizer } from './learnedOptimizer.ts';
import { initMetaParams, metaParamViews, PAPER_LSTM, type LstmConfig } from './lstmConfig.ts';

const config: LstmConfig = { ...PAPER_LSTM, base: { optimizer: 'nag', learningRate: 0.3 } };

/** The updates of 4 steps of `optimizer` on a fixed gradient sequence over 10 coordinates. */
function updatesOf(optimizer: Optimizer): Float32Array[] {
  const theta = new Rng(1).normalArray(10);
  const state = optimizer.init(theta.length);
  const out = Array.from({ length: 4 }, (_, t) => optimizer.update(theta.map((x, j) => x * 0.05 * (t + 1) * (1 + (j % 2)) + 0.01), state));
  optimizer.dispose(state);
  return out;
}

for (const { name, skip } of engineCases(['tfjs', 'native'])) {
  describe(`learned optimizer with a base step (${name} engine)`, { skip }, () => {
    let engine: Engine;
    before(async () => {
      await setupBackend();
      engine = makeTestEngine(name);
    });
    after(() => engine.close());

    it('starts as exactly NAG: its head starts at zero', () => {
      const phi = initMetaParams(config, new Rng(3));
      const head = metaParamViews(config, phi).find(([n]) => n === 'head.w')![2];
      assert.deepEqual(Array.from(head), new Array(20).fill(0));
      const learned = updatesOf(learnedOptimizer(config, phi, engine));
      const reference = updatesOf(nag(0.3));
      learned.forEach((u, t) => assertClose(u, reference[t], { rtol: 1e-6, atol: 1e-7, label: `step ${t}` }));
    });

    it("is the LSTM's update plus NAG's", () => {
      const phi = initMetaParams({ ...config, base: null }, new Rng(3));
      const both = updatesOf(learnedOptimizer(config, phi, engine));
      const lstmAlone = updatesOf(learnedOptimizer({ ...config, base: null }, phi, engine));
      const nagAlone = updatesOf(nag(0.3));
      both.forEach((u, t) => assertClose(u, lstmAlone[t].map((x, j) => x + nagAlone[t][j]), { rtol: 1e-5, atol: 1e-7, label: `step ${t}` }));
      assert.ok(Math.abs(both[3][0] - nagAlone[3][0]) > 1e-4, 'the LSTM part is not zero here');
    });
  });
}

describe('base step', () => {
  it('names the choices when the optimizer is unknown', () => {
    assert.throws(() => baseOptimizer({ optimizer: 'lion', learningRate: 1 }), /unknown base optimizer 'lion': use one of sgd, momentum, nag, rmsprop, adam, adagrad/);
  });
});
