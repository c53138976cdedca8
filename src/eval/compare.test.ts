import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { Optimizer } from '../optimizers/optimizer.ts';
import { sgd } from '../optimizers/sgd.ts';
import { QuadraticFamily } from '../tasks/quadratic.ts';
import { MlpFamily, PAPER_MLP } from '../tasks/mlp.ts';
import { setupBackend } from '../testing/setup.ts';
import { compare, defaultCompareConfig } from './compare.ts';
import { tuneLearningRate } from './tune.ts';
import { HAND_DESIGNED } from '../optimizers/registry.ts';
import { loadMnist } from '../data/mnist.ts';

describe('tuning and comparison', () => {
  before(setupBackend);

  it('tuning picks the grid rate with the lowest final loss, counts divergence as +Inf and flags the edge', () => {
    // 1-d quadratics (wθ − y)² with w ~ N(0, 1): SGD with rate 3 diverges on most, 1e-4 barely moves.
    const family = new QuadraticFamily({ dims: 1, variant: 'paper' });
    const result = tuneLearningRate(family, (lr) => sgd(lr), { grid: [1e-4, 0.03, 0.1, 3], steps: 50, members: 64, seed: 0 });
    assert.equal(result.finalLoss[3], Infinity);
    assert.ok(result.finalLoss[0] > result.finalLoss[1]);
    const bestIndex = result.finalLoss.indexOf(Math.min(...result.finalLoss));
    assert.equal(result.best, result.grid[bestIndex]);
    assert.equal(result.onEdge, bestIndex === 0 || bestIndex === 3);
    const edge = tuneLearningRate(family, (lr) => sgd(lr), { grid: [1e-5, 1e-4], steps: 20, members: 16, seed: 0 });
    assert.equal(edge.best, 1e-4);
    assert.ok(edge.onEdge);
  });

  it('runs every optimizer on the same held-out problems from the same θ0, deterministically', async () => {
    const family = new QuadraticFamily();
    const config = defaultCompareConfig(30, 50, 7, family);
    config.tuning.grid = [0.01, 0.1];
    const contenders = ['sgd', 'adam'].map((name) => ({ name, factory: HAND_DESIGNED[name] }));
    const a = await compare(family, contenders, config);
    // The progress callbacks: one message per tuning and per result, one call per finished job.
    const messages: string[] = [];
    const jobs: Array<[number, number]> = [];
    const b = await compare(family, contenders, config, (m) => messages.push(m), { onJob: (done, total) => jobs.push([done, total]) });
    assert.deepEqual(a, b);
    const total = 2 * 2 + 2 * Math.ceil(50 / config.chunkSize); // 2 optimizers × (2 tuning rates + test chunks)
    assert.deepEqual(jobs, Array.from({ length: total }, (_, i) => [i + 1, total]));
    assert.deepEqual(messages.map((m) => m.replace(/ \(warning: .*\)$/, '').replace(/[\d.e+-]+$/, 'N')), ['sgd: learning rate N', 'adam: learning rate N', 'sgd: final mean loss N', 'adam: final mean loss N']);
    assert.equal(a.optimizers[0].meanLoss[0], a.optimizers[1].meanLoss[0]);
    assert.equal(a.optimizers[0].meanLoss.length, 31);
    assert.notEqual(a.tuningSeed, a.seed);
    // Tuning inside a comparison is exactly tuneLearningRate on the tuning seed.
    const sgdTuning = tuneLearningRate(family, HAND_DESIGNED.sgd, { ...config.tuning, seed: a.tuningSeed });
    assert.deepEqual(a.optimizers[0].tuning, sgdTuning);
  });

  it('an optimizer whose updates turn non-finite is reported as diverged, not crashed', async () => {
    const family = new QuadraticFamily();
    const config = defaultCompareConfig(10, 20, 3, family);
    // A "learned" optimizer that blows up at its third update.
    const exploding: Optimizer<{ count: number }> = {
      name: 'exploding',
      hyperparams: {},
      init: () => ({ count: 0 }),
      update: (grads, state) => {
        const factor = state.count++ >= 2 ? Infinity : -0.01;
        return grads.map((g) => g * factor);
      },
      save: (state) => ({ count: state.count, arrays: {} }),
      load: (saved) => ({ count: saved.count }),
      dispose: () => {},
    };
    const results = await compare(family, [{ name: 'lstm', optimizer: exploding as Optimizer }], config);
    const lstm = results.optimizers[0];
    assert.equal(lstm.diverged, 20);
    assert.ok(Number.isFinite(lstm.meanLoss[2]));
    assert.equal(lstm.meanLoss[10], Infinity);
  });

  it('reports full test-set loss and accuracy for MNIST networks, evaluated in chunks', async () => {
    const family = new MlpFamily({ ...PAPER_MLP, split: 'test' }, loadMnist);
    const config = defaultCompareConfig(3, 3, 1, family);
    config.chunkSize = 2;
    config.tuning = { grid: [0.1], members: 2, steps: 3 };
    const results = await compare(family, [{ name: 'sgd', factory: HAND_DESIGNED.sgd }], config);
    const sgdResult = results.optimizers[0];
    assert.equal(sgdResult.meanLoss.length, 4);
    assert.ok(Math.abs(sgdResult.final!.fullLoss - Math.log(10)) < 0.05);
    assert.ok(sgdResult.final!.accuracy > 0 && sgdResult.final!.accuracy < 1);
  });
});
