import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import type { Engine } from '../engine/engine.ts';
import { initMetaParams, PAPER_LSTM } from '../learned/lstmConfig.ts';
import { learnedOptimizer } from '../learned/learnedOptimizer.ts';
import { toOptimizerFile } from '../learned/optimizerFile.ts';
import { Rng } from '../random/rng.ts';
import { engineCases, makeTestEngine } from '../testing/engines.ts';
import { assertClose, setupBackend } from '../testing/setup.ts';
import { handDesignedTfOptimizer, L2LOptimizer, loadLearnedOptimizer } from './tfOptimizer.ts';

/** f(a, b) = Σ (a − 1)² + Σ (b + 2)²·3 over a 2×3 and a length-4 variable. */
function problem(seed: number) {
  const rng = new Rng(seed);
  const a = tf.variable(tf.tensor(rng.normalArray(6), [2, 3]));
  const b = tf.variable(tf.tensor(rng.normalArray(4), [4]));
  const loss = () => a.sub(1).square().sum().add(b.add(2).square().sum().mul(3)) as tf.Scalar;
  return { a, b, loss };
}

const randomLstmFile = () => toOptimizerFile({ ...PAPER_LSTM, outputScale: 0.05 }, initMetaParams(PAPER_LSTM, new Rng(3)), {} as never);

describe('tf.Optimizer adapter', () => {
  before(setupBackend);

  it('a hand-designed optimizer through the adapter matches tf.train.adam on plain variables', () => {
    const ours = problem(1);
    const theirs = problem(1);
    const adapter = handDesignedTfOptimizer('adam', 0.1);
    const reference = tf.train.adam(0.1, 0.9, 0.999, 1e-8);
    for (let t = 0; t < 10; t++) {
      adapter.minimize(ours.loss);
      reference.minimize(theirs.loss);
    }
    assertClose(ours.a.dataSync(), theirs.a.dataSync(), { rtol: 1e-4, atol: 1e-5 });
    assertClose(ours.b.dataSync(), theirs.b.dataSync(), { rtol: 1e-4, atol: 1e-5 });
    assert.equal(adapter.iterations, 10);
  });

});

for (const { name, skip } of engineCases(['tfjs', 'native'])) {
  describe(`tf.Optimizer adapter, learned optimizer on the ${name} engine`, { skip }, () => {
    let engine: Engine;
    before(async () => {
      await setupBackend();
      engine = makeTestEngine(name);
    });

    it('keeps a state per variable, leaks no tensors over many steps, and leaves none after dispose', async () => {
      const { a, b, loss } = problem(2);
      const before = tf.memory().numTensors;
      const adapter = await loadLearnedOptimizer(randomLstmFile(), engine);
      adapter.minimize(loss);
      const after1 = tf.memory().numTensors;
      for (let t = 0; t < 50; t++) adapter.minimize(loss);
      assert.equal(tf.memory().numTensors, after1);
      const weights = await adapter.getWeights();
      // iterations, then per variable: count, h0, c0, h1, c1.
      assert.equal(weights.length, 1 + 2 * 5);
      assert.deepEqual(weights.slice(1, 6).map((w) => w.name), [`${a.name}/count`, `${a.name}/h0`, `${a.name}/c0`, `${a.name}/h1`, `${a.name}/c1`]);
      assert.equal(weights[2].tensor.size, a.size * 20);
      tf.dispose(weights.map((w) => w.tensor));
      adapter.dispose();
      assert.equal(tf.memory().numTensors, before, 'every tensor the optimizer made is freed');
      assert.ok(b.size === 4);
    });

    it("with parameter inputs, it reads each variable's values: its updates are the optimizer's own at those values, and leak no tensors", async () => {
      const config = { ...PAPER_LSTM, inputs: 'adam' as const, paramInput: true, outputScale: 0.05 };
      const phi = initMetaParams(config, new Rng(4));
      const { a, loss } = problem(5);
      const theta = (a.dataSync() as Float32Array).slice();
      const grad = tf.tidy(() => (tf.variableGrads(loss).grads[a.name].dataSync() as Float32Array).slice());
      const direct = learnedOptimizer(config, phi, engine);
      const state = direct.init(theta.length);
      const expected = direct.update(grad, state, theta);
      direct.dispose(state);
      const before = tf.memory().numTensors;
      const adapter = await loadLearnedOptimizer(toOptimizerFile(config, phi, {} as never), engine);
      adapter.minimize(loss, false, [a]);
      assertClose((a.dataSync() as Float32Array).map((x, j) => x - theta[j]), expected, { rtol: 1e-5, atol: 1e-7, label: 'update of a' });
      adapter.minimize(loss, false, [a]);
      adapter.dispose();
      assert.equal(tf.memory().numTensors, before, 'every tensor the optimizer made is freed');
    });

    it('saved and restored, it gives identical updates', async () => {
      const first = problem(3);
      const adapter = await loadLearnedOptimizer(randomLstmFile(), engine);
      for (let t = 0; t < 5; t++) adapter.minimize(first.loss);
      const config = adapter.getConfig();
      const weights = (await adapter.getWeights()).map((w) => ({ name: w.name, tensor: w.tensor.clone() }));
      // A copy of the variables and a rebuilt optimizer with the same state must take the same step.
      const second = problem(3);
      second.a.assign(first.a);
      second.b.assign(first.b);
      const restored = new L2LOptimizer(config.spec as never, engine);
      await restored.setWeights(weights.map((w) => ({ ...w, name: w.name.replace(first.a.name, second.a.name).replace(first.b.name, second.b.name) })));
      adapter.minimize(first.loss);
      restored.minimize(second.loss);
      assertClose(second.a.dataSync(), first.a.dataSync(), { rtol: 0, atol: 0 });
      assertClose(second.b.dataSync(), first.b.dataSync(), { rtol: 0, atol: 0 });
    });
  });

  describe(`tf.Optimizer adapter state formats on the ${name} engine`, { skip }, () => {
    let engine: Engine;
    before(async () => {
      await setupBackend();
      engine = makeTestEngine(name);
    });

    /** Five steps, then the state saved in `format`, restored into a fresh optimizer on a copy of the variables. */
    async function restoredPair(format: 'bfloat16' | 'none') {
      const first = problem(4);
      const adapter = await loadLearnedOptimizer(randomLstmFile(), engine, { stateFormat: format });
      for (let t = 0; t < 5; t++) adapter.minimize(first.loss);
      const weights = await adapter.getWeights();
      const second = problem(4);
      second.a.assign(first.a);
      second.b.assign(first.b);
      const restored = new L2LOptimizer(adapter.getConfig().spec as never, engine);
      await restored.setWeights(weights.map((w) => ({ ...w, name: w.name.replace(first.a.name, second.a.name).replace(first.b.name, second.b.name) })));
      return { first, second, adapter, restored, weights };
    }

    it("'bfloat16' saves 2 bytes per state value and restores it to within 2⁻⁹", async () => {
      const { first, second, adapter, restored, weights } = await restoredPair('bfloat16');
      // iterations, then per variable: count and h0, c0, h1, c1 as [length, packed pairs].
      const h0 = weights.find((w) => w.name === `${first.a.name}/h0@bfloat16`)!;
      assert.equal(h0.tensor.dtype, 'int32');
      assert.equal(h0.tensor.size, 1 + (first.a.size * 20) / 2);
      assert.equal(weights.length, 1 + 2 * 5);
      adapter.minimize(first.loss);
      restored.minimize(second.loss);
      assertClose(second.a.dataSync(), first.a.dataSync(), { rtol: 1e-2, atol: 1e-4 });
      assert.equal((restored.getConfig().spec as { stateFormat: string }).stateFormat, 'bfloat16');
    });

    it("'none' saves the step counts alone; the restored optimizer starts fresh states, as a new one would", async () => {
      const { first, second, adapter, restored, weights } = await restoredPair('none');
      assert.deepEqual(weights.map((w) => w.name).slice(1), [`${first.a.name}/count`, `${first.b.name}/count`]);
      const fresh = problem(4);
      fresh.a.assign(first.a);
      const newcomer = await loadLearnedOptimizer(randomLstmFile(), engine);
      restored.minimize(second.loss);
      newcomer.minimize(fresh.loss);
      assertClose(second.a.dataSync(), fresh.a.dataSync(), { rtol: 0, atol: 0 });
      assert.deepEqual((await restored.getWeights()).map((w) => w.name).slice(1), [`${second.a.name}/count`, `${second.b.name}/count`]);
      adapter.dispose();
    });
  });
}
