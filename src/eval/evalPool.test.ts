import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { loadMnist } from '../data/mnist.ts';
import type { Engine } from '../engine/engine.ts';
import { selectEngine } from '../engine/select.ts';
import { initMetaParams, PAPER_LSTM } from '../learned/lstmConfig.ts';
import type { Optimizer } from '../optimizers/optimizer.ts';
import { Rng } from '../random/rng.ts';
import { MlpFamily, PAPER_MLP } from '../tasks/mlp.ts';
import { QuadraticFamily } from '../tasks/quadratic.ts';
import { setupBackend } from '../testing/setup.ts';
import { compare, defaultCompareConfig } from './compare.ts';
import { defaultMetaTrainConfig, metaTrain, type ValidationInfo } from '../meta/metaTrain.ts';
import { EvalPool } from './evalPool.ts';
import { handDesignedContender, lstmContender, type Contender } from './unrollJob.ts';

describe('evaluation on worker threads', () => {
  let pool: EvalPool;
  let engine: Engine;
  const phi = () => initMetaParams(PAPER_LSTM, new Rng(5));
  before(async () => {
    await setupBackend();
    engine = selectEngine();
    pool = new EvalPool(2, tf.getBackend(), engine.name);
  });
  after(() => pool.close());

  it('gives exactly the numbers of this thread: quadratics, a learned and two tuned optimizers', async () => {
    const family = new QuadraticFamily();
    const config = defaultCompareConfig(25, 40, 9, family);
    config.chunkSize = 15;
    config.tuning = { grid: [0.01, 0.1, 1], members: 16, steps: 25 };
    const learned = phi();
    const contenders = [lstmContender('lstm', PAPER_LSTM, learned, engine), handDesignedContender('sgd'), handDesignedContender('adam')];
    const here = await compare(family, contenders, config);
    const workers = await compare(family, contenders, config, () => {}, { runner: pool });
    assert.deepEqual(workers, here);
    assert.equal(here.optimizers[0].meanLoss.length, 26);
  });

  it('gives exactly the numbers of this thread on MNIST, final test-set metrics included', async () => {
    const family = new MlpFamily({ ...PAPER_MLP, hidden: [6], split: 'test' }, loadMnist, engine.mlp);
    const config = defaultCompareConfig(4, 3, 2, family);
    config.chunkSize = 2;
    config.tuning = { grid: [0.1, 1], members: 2, steps: 4 };
    const learned = phi();
    const contenders = [lstmContender('lstm', PAPER_LSTM, learned, engine), handDesignedContender('nag')];
    const here = await compare(family, contenders, config);
    const workers = await compare(family, contenders, config, () => {}, { runner: pool });
    assert.deepEqual(workers, here);
    assert.ok(here.optimizers[1].final!.accuracy > 0);
  });

  it('meta-training validates its chunks of networks on the pool with the same numbers as here', async () => {
    const family = new QuadraticFamily();
    const config = defaultMetaTrainConfig({ lstm: PAPER_LSTM, iterations: 2, membersPerTask: 8, horizon: 10, unrollLength: 5, validateEvery: 1, validationMembers: 5, validationChunks: 2, seed: 4 });
    const run = async (validationRunner?: EvalPool) => {
      const validations: ValidationInfo[] = [];
      const result = await metaTrain(engine, family, config, { validationRunner, onValidation: (info) => validations.push(info) });
      return { validations, best: result.best };
    };
    const here = await run();
    assert.deepEqual(await run(pool), here);
    assert.equal(here.validations.length, 3);
    assert.ok(here.validations.every((v) => Number.isFinite(v.validationLoss)));
    // A different validation set than one batch of the same size.
    const oneBatch = await metaTrain(engine, family, { ...config, validationChunks: 1, iterations: 0 });
    assert.notEqual(oneBatch.bestValidationLoss, here.validations[0].validationFinalLoss);
  });

  it('runs an optimizer without a spec (a custom one) in this thread', async () => {
    const family = new QuadraticFamily();
    const config = defaultCompareConfig(5, 8, 1, family);
    let updates = 0;
    const halfGradient: Optimizer<null> = {
      name: 'half',
      hyperparams: {},
      init: () => null,
      update: (grads) => {
        updates++;
        return grads.map((g) => g * -0.01);
      },
      save: () => ({ count: 0, arrays: {} }),
      load: () => null,
      dispose: () => {},
    };
    const contenders: Contender[] = [{ name: 'half', optimizer: halfGradient as Optimizer }];
    const results = await compare(family, contenders, config, () => {}, { runner: pool });
    assert.equal(updates, 5, 'every update ran here');
    assert.deepEqual(results, await compare(family, contenders, config));
  });
});
