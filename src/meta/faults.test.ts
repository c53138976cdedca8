import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { selectEngine } from '../engine/select.ts';
import { PAPER_LSTM } from '../learned/lstmConfig.ts';
import type { Rng } from '../random/rng.ts';
import { QuadraticFamily } from '../tasks/quadratic.ts';
import type { LossAndGrad, Task, TaskFamily } from '../tasks/task.ts';
import { setupBackend } from '../testing/setup.ts';
import { defaultMetaTrainConfig, metaTrain, type IterationInfo } from './metaTrain.ts';

/** Quadratics whose 2nd and 3rd sampled tasks (training iterations 1 and 2) turn NaN from step 5 on. */
class PoisonedFamily implements TaskFamily {
  readonly name = 'poisoned';
  readonly config = {};
  private samples = 0;
  private readonly inner = new QuadraticFamily({ dims: 3, variant: 'paper' });

  sizeOf(members: number) {
    return this.inner.sizeOf(members);
  }

  sample(rng: Rng, members: number): Task {
    const task = this.inner.sample(rng, members);
    this.samples++;
    // Sample 0 is the validation set; samples 1, 2, … are training iterations 0, 1, ….
    if (this.samples !== 3 && this.samples !== 4) return task;
    return {
      members: task.members,
      objective: task.objective,
      paramShapes: task.paramShapes,
      init: (r) => task.init(r),
      loss: (p, step) => task.loss(p, step),
      lossAndGrad(theta, step): LossAndGrad {
        const result = task.lossAndGrad(theta, step);
        return step < 5 ? result : { losses: result.losses.map(() => NaN), grad: result.grad.map(() => NaN) };
      },
    };
  }
}

describe('numerical faults during meta-training', () => {
  before(setupBackend);

  it('a NaN loss and meta-gradient never reach φ: the update is skipped, counted, and repeated faults lower the rate', async () => {
    const infos: IterationInfo[] = [];
    const config = defaultMetaTrainConfig({
      iterations: 5, membersPerTask: 4, horizon: 20, unrollLength: 5, validateEvery: 1, validationMembers: 4,
      finalMetaLrFactor: 1, seed: 0, lstm: PAPER_LSTM,
    });
    const result = await metaTrain(selectEngine(), new PoisonedFamily(), config, { onIteration: (i) => infos.push(i) });
    // From step 5 on the loss is NaN, so all 4 truncations (steps 1–5, 6–10, …) of those iterations fault.
    assert.deepEqual(infos.map((i) => i.skippedUpdates), [0, 4, 4, 0, 0]);
    assert.deepEqual(infos.map((i) => i.faults), [0, 4, 8, 8, 8]);
    // Every third fault halves the meta learning rate: 4 faults → ½, 8 faults → ¼.
    assert.equal(infos[0].metaLearningRate, config.metaLearningRate);
    assert.equal(infos[2].metaLearningRate, config.metaLearningRate / 2);
    assert.equal(infos[3].metaLearningRate, config.metaLearningRate / 4);
    assert.ok(Number.isNaN(infos[1].metaLoss));
    assert.ok(result.best.every(Number.isFinite));
    assert.ok(Number.isFinite(result.bestValidationLoss));
  });
});
