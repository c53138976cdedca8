import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { selectEngine } from '../engine/select.ts';
import { initMetaParams, type LstmConfig } from '../learned/lstmConfig.ts';
import { Rng } from '../random/rng.ts';
import { QuadraticFamily } from '../tasks/quadratic.ts';
import { autodiffLossAndGrad, type Task } from '../tasks/task.ts';
import { setupBackend } from '../testing/setup.ts';
import { descentCheck } from './descentCheck.ts';

const config: LstmConfig = { hidden: [4, 4], inputs: 'gradient', preprocessP: 10, outputScale: 0.3, forgetBias: 1 };

/** l_j(θ) = a_j·θ_j + 5: its gradient does not depend on θ, so the paper's meta-gradient is exact. */
function linearTask(): Task {
  const a = tf.tensor([[0.5, -1, 2], [1, 0.3, -0.7]]);
  const task: Task = {
    members: 2,
    objective: 'sum',
    paramShapes: [[2, 3]],
    init: () => Float32Array.of(0.1, 0.2, 0.3, -0.1, 0, 0.5),
    loss: (params) => params[0].mul(a).sum(1).add(5) as tf.Tensor1D,
    lossAndGrad: (theta, step) => autodiffLossAndGrad(task, theta, step),
  };
  return task;
}

describe('descent check', () => {
  before(setupBackend);

  it('agrees with the first-order prediction when the gradients do not depend on θ', () => {
    const task = linearTask();
    const phi = initMetaParams(config, new Rng(1));
    const { gradNorm, probes } = descentCheck(selectEngine(), config, phi, task, task.init(new Rng(0)), 6, 'loss', [1e-3]);
    assert.ok(gradNorm > 0);
    const [{ change, predicted }] = probes;
    assert.ok(change < 0, `a step against the gradient lowers the loss (change ${change})`);
    assert.ok(Math.abs(change - predicted) < 0.05 * Math.abs(predicted), `change ${change} vs predicted ${predicted}`);
  });

  it('measures the true unrolled loss when they do (quadratics): a finite change of the right size', () => {
    const task = new QuadraticFamily({ dims: 3, variant: 'paper' }).sample(new Rng(2), 4);
    const phi = initMetaParams(config, new Rng(1));
    const { metaLoss, probes } = descentCheck(selectEngine(), config, phi, task, task.init(new Rng(3)), 5, 'log', [1e-4, 1e-3]);
    assert.ok(Number.isFinite(metaLoss));
    // Smooth at this scale: ten times the step, about ten times the change.
    const ratio = probes[1].change / probes[0].change;
    assert.ok(ratio > 7 && ratio < 13, `ratio ${ratio}`);
  });
});
