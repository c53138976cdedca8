import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { loadMnist } from '../data/mnist.ts';
import { initMetaParams, PAPER_LSTM } from '../learned/lstmConfig.ts';
import type { Optimizer } from '../optimizers/optimizer.ts';
import { Rng } from '../random/rng.ts';
import { MlpFamily, PAPER_MLP } from '../tasks/mlp.ts';
import { QuadraticFamily } from '../tasks/quadratic.ts';
import { setupBackend } from '../testing/setup.ts';
import { compare, defaultCompareConfig } from './compare.ts';
import { EvalPool } from './evalPool.ts';
import { handDesignedContender, lstmContender, type Contender } from './unrollJob.ts';

describe('evaluation on worker threads', () => {
  let pool: EvalPool;
  const phi = () => initMetaParams(PAPER_LSTM, new Rng(5));
  before(async () => {
    await setupBackend();
    pool = new EvalPool(2, tf.getBackend());
  });
  after(() => pool.close());

  it('gives exactly the numbers of this thread: quadratics, a learned and two tuned optimizers', async () => {
    const family = new QuadraticFamily();
    const config = defaultCompareConfig(25, 40, 9, family);
    config.chunkSize = 15;
    config.tuning = { grid: [0.01, 0.1, 1], members: 16, steps: 25 };
    const learned = phi();
    const contenders = [lstmContender('lstm', PAPER_LSTM, learned), handDesignedContender('sgd'), handDesignedContender('adam')];
    const here = await compare(family, contenders, config);
    const workers = await compare(family, contenders, config, () => {}, pool);
    assert.deepEqual(workers, here);
    assert.equal(here.optimizers[0].meanLoss.length, 26);
    tf.dispose(Object.values(learned));
  });

  it('gives exactly the numbers of this thread on MNIST, final test-set metrics included', async () => {
    const family = new MlpFamily({ ...PAPER_MLP, hidden: [6], split: 'test' }, loadMnist);
    const config = defaultCompareConfig(4, 3, 2, family);
    config.chunkSize = 2;
    config.tuning = { grid: [0.1, 1], members: 2, steps: 4 };
    const learned = phi();
    const contenders = [lstmContender('lstm', PAPER_LSTM, learned), handDesignedContender('nag')];
    const here = await compare(family, contenders, config);
    const workers = await compare(family, contenders, config, () => {}, pool);
    assert.deepEqual(workers, here);
    assert.ok(here.optimizers[1].final!.accuracy > 0);
    tf.dispose(Object.values(learned));
  });

  it('runs an optimizer without a spec (a custom one) in this thread', async () => {
    const family = new QuadraticFamily();
    const config = defaultCompareConfig(5, 8, 1, family);
    let updates = 0;
    const halfGradient: Optimizer = {
      name: 'half',
      hyperparams: {},
      init: () => ({ count: 0, slots: {} }),
      update: (grads, state) => {
        updates++;
        return { updates: grads.map((g) => g.mul(-0.01)), state: { count: state.count + 1, slots: {} } };
      },
    };
    const contenders: Contender[] = [{ name: 'half', optimizer: halfGradient }];
    const results = await compare(family, contenders, config, () => {}, pool);
    assert.equal(updates, 5, 'every update ran here');
    assert.deepEqual(results, await compare(family, contenders, config));
  });
});
