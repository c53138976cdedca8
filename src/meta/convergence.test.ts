import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { selectEngine } from '../engine/select.ts';
import { initMetaParams, PAPER_LSTM } from '../learned/lstmConfig.ts';
import { learnedOptimizer } from '../learned/learnedOptimizer.ts';
import { quantile } from '../eval/stats.ts';
import { Rng } from '../random/rng.ts';
import { QuadraticFamily } from '../tasks/quadratic.ts';
import { setupBackend } from '../testing/setup.ts';
import { defaultMetaTrainConfig, metaTrain } from './metaTrain.ts';
import { unroll } from '../unroll/unroll.ts';

describe('convergence: the whole meta-training loop learns', () => {
  before(setupBackend);

  it('a meta-trained LSTM drives fresh 1-d quadratics (wθ − y)² below 1e-5', async () => {
    const family = new QuadraticFamily({ dims: 1, variant: 'paper' });
    const config = defaultMetaTrainConfig({
      iterations: 200, membersPerTask: 32, metaLearningRate: 0.01, validateEvery: 25, validationMembers: 32, seed: 0, lstm: PAPER_LSTM,
    });
    const engine = selectEngine();
    const trained = await metaTrain(engine, family, config);
    const test = family.sample(new Rng(5), 20);
    const theta0 = test.init(new Rng(6));
    const medianFinal = (phi: Float32Array) => {
      const final = unroll(test, learnedOptimizer(PAPER_LSTM, phi, engine), theta0, 100).losses[100];
      return quantile(Float64Array.from(final).sort(), 0.5);
    };
    const untrained = medianFinal(initMetaParams(PAPER_LSTM, new Rng(0).child('phi')));
    const learned = medianFinal(trained.best);
    assert.ok(untrained > 1e-3, `the untrained optimizer should not solve them (median ${untrained})`);
    assert.ok(learned < 1e-5, `median final loss ${learned}`);
  });
});
