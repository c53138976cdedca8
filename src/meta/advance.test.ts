import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { initMetaParams, metaParamsFromList, PAPER_LSTM } from '../learned/lstmConfig.ts';
import { lstmOptimizer } from '../learned/lstmOptimizer.ts';
import { Rng } from '../random/rng.ts';
import { QuadraticFamily } from '../tasks/quadratic.ts';
import { flat, mlpTruncationStart } from '../testing/mlpTruncation.ts';
import { assertClose, setupBackend } from '../testing/setup.ts';
import { advanceTruncation } from './advance.ts';
import { truncatedMetaGradient } from './metaGradient.ts';
import { defaultMetaTrainConfig, metaTrain } from './metaTrain.ts';
import { unroll } from './unroll.ts';

describe('truncations without a meta-gradient (train --update-from)', () => {
  before(setupBackend);

  it('advance the optimizee and the LSTM state exactly as a truncation does', () => {
    const { task, phi, start } = mlpTruncationStart(PAPER_LSTM, 6, 32, 5);
    const optimizer = lstmOptimizer(PAPER_LSTM, metaParamsFromList(PAPER_LSTM, phi));
    const truncation = truncatedMetaGradient(PAPER_LSTM, phi, task, start, 4);
    const losses: number[] = [];
    const advanced = advanceTruncation(task, optimizer, start, 4, losses);
    assert.equal(advanced.step, truncation.next.step);
    assertClose(losses, truncation.losses, { rtol: 1e-6, label: 'losses' });
    // Up to rounding: with the native kernels the truncation evaluates the MLP on plain arrays
    // (native), the optimizer here on TensorFlow.js; tiny gradient entries differ in their last bits.
    assertClose(flat(advanced.params), flat(truncation.next.params), { rtol: 1e-6, atol: 1e-7, label: 'theta' });
    for (const slot of Object.keys(truncation.next.state.slots)) {
      assertClose(flat(advanced.state.slots[slot]), flat(truncation.next.state.slots[slot]), { rtol: 1e-5, atol: 1e-6, label: slot });
    }
    assert.equal(advanced.state.count, truncation.next.state.count);
  });

  it('leave φ unchanged before updateFromStep: the whole first horizon runs on the initial φ', async () => {
    // One iteration, two truncations of 20 steps. metaTrain draws φ from the seed's 'phi' stream
    // and the iteration's functions from 'iteration0'; the same draws here give the losses the
    // initial φ produces, which the meta-loss must equal when only the second truncation trains.
    const family = new QuadraticFamily({ dims: 3, variant: 'paper' });
    const config = defaultMetaTrainConfig({ iterations: 1, membersPerTask: 8, horizon: 40, validateEvery: 10, validationMembers: 4, seed: 3, lstm: PAPER_LSTM });
    const metaLoss = async (updateFromStep: number) => {
      let loss = NaN;
      await metaTrain(family, { ...config, updateFromStep }, { onIteration: (info) => (loss = info.metaLoss) });
      return loss;
    };
    const rng = new Rng(config.seed);
    const iteration = rng.child('iteration0');
    const task = family.sample(iteration.child('task'), config.membersPerTask);
    const theta0 = task.init(iteration.child('init'));
    const curve = unroll(task, lstmOptimizer(PAPER_LSTM, initMetaParams(PAPER_LSTM, rng.child('phi'))), theta0, 40).losses;
    const initialPhiLoss = curve.slice(1).reduce((s, l) => s + l.reduce((a, b) => a + b, 0) / l.length, 0) / 40;
    assertClose([await metaLoss(20)], [initialPhiLoss], { rtol: 1e-5, label: 'meta-loss with --update-from 20' });
    // With every truncation training, the second one already runs on an updated φ.
    assert.ok(Math.abs((await metaLoss(0)) - initialPhiLoss) > 1e-4 * initialPhiLoss);
    tf.dispose(theta0);
  });
});
