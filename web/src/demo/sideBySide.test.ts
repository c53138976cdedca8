import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { Results } from '../../../src/eval/compare.ts';
import { MNIST_PIXELS } from '../../../src/data/mnistSplit.ts';
import { adam } from '../../../src/optimizers/adam.ts';
import { sgd } from '../../../src/optimizers/sgd.ts';
import { Rng } from '../../../src/random/rng.ts';
import { assertClose, setupBackend } from '../../../src/testing/setup.ts';
import { SideBySide } from './sideBySide.ts';
import { tunedLearningRate } from './tunedLearningRate.ts';

/** 200 random "images" with random labels: enough for minibatches of 128. */
function syntheticSplit() {
  const rng = new Rng(3);
  return { pixels: Uint8Array.from(rng.uniformArray(200 * MNIST_PIXELS, 0, 256), Math.floor), labels: Uint8Array.from({ length: 200 }, () => rng.int(10)), count: 200 };
}

describe('demo: optimizers side by side', () => {
  before(setupBackend);

  it('same network, same minibatches: two copies of one optimizer give identical curves; another differs from step 1 on', () => {
    const config = { hidden: [5], activation: 'sigmoid' as const, steps: 4, seed: 9 };
    const run = new SideBySide(config, syntheticSplit(), [
      { name: 'a', optimizer: sgd(0.5) },
      { name: 'b', optimizer: sgd(0.5) },
      { name: 'c', optimizer: adam(0.1) },
    ]);
    while (!run.done) run.step();
    run.dispose();
    assert.equal(run.curves.a.length, 5);
    assert.deepEqual(run.curves.a, run.curves.b);
    assert.equal(run.curves.c[0], run.curves.a[0], 'one θ0 and one minibatch at step 0');
    assertClose([run.curves.a[0]], [Math.log(10)], { atol: 0.01 });
    assert.notEqual(run.curves.c[1], run.curves.a[1]);
    assert.throws(() => run.step(), /the run is over/);
  });
});

describe('demo: the tuned Adam learning rate', () => {
  const panel = (title: string, hidden: number[], activation: string, lr: number) => ({
    title,
    results: { task: 'mnist', taskConfig: { hidden, activation }, optimizers: [{ name: 'adam', learningRate: lr }] } as unknown as Results,
  });
  const panels = [panel('paper', [20], 'sigmoid', 0.03), panel('wide', [40], 'sigmoid', 0.01), panel('relu', [20], 'relu', 0.003)];

  it('comes from the panel with the same architecture, else from the paper’s network', () => {
    assert.deepEqual(tunedLearningRate(panels, 'adam', [40], 'sigmoid'), { learningRate: 0.01, tunedOn: 'wide' });
    assert.deepEqual(tunedLearningRate(panels, 'adam', [20], 'relu'), { learningRate: 0.003, tunedOn: 'relu' });
    assert.deepEqual(tunedLearningRate(panels, 'adam', [30, 30], 'tanh'), { learningRate: 0.03, tunedOn: 'paper' });
    assert.throws(() => tunedLearningRate(panels, 'nag', [20], 'sigmoid'), /no bundled MNIST results tune nag/);
  });
});
