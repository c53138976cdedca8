import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { initMetaParams, metaParamList, metaParamsFromList, PAPER_LSTM, type LstmConfig } from '../learned/lstmConfig.ts';
import { lstmOptimizer } from '../learned/lstmOptimizer.ts';
import { kernelThreads } from '../learned/rowKernel.ts';
import type { OptState } from '../optimizers/optimizer.ts';
import { KernelShard } from '../meta/kernelShard.ts';
import { LocalShard, type Shard, type ShardStart } from '../meta/shard.ts';
import { Rng } from '../random/rng.ts';
import { assertClose, setupBackend } from '../testing/setup.ts';
import { ADDON_PATH, loadNativeKernel, useNativeKernel } from './nativeKernel.ts';

const native = loadNativeKernel();
const notBuilt = native.kernel ? false : `native kernel not built: ${native.reason}`;

// The three input modes, a one-layer LSTM of odd size (the kernel's generic, unvectorized path),
// and two layers of 40 (its widest vectorized products).
const CONFIGS: Array<[string, LstmConfig]> = [
  ['paper', PAPER_LSTM],
  ["'adam' inputs", { ...PAPER_LSTM, inputs: 'adam' }],
  ['raw gradient, one layer of 7', { ...PAPER_LSTM, hidden: [7], preprocessP: null, outputScale: 0.3 }],
  ['two layers of 40', { ...PAPER_LSTM, hidden: [40, 40] }],
];

/** A shard start with random states (as mid-horizon) and random gradients and ∂S/∂Δ per step. */
function randomTruncation(config: LstmConfig, rows: number, steps: number) {
  const rng = new Rng(5);
  const phi = metaParamList(config, initMetaParams(config, rng.child('phi'))).map((t) => t.dataSync() as Float32Array);
  const r = rng.child('data');
  const values = (n: number, std: number) => Float32Array.from(r.normalArray(n, std));
  const start: ShardStart = {
    config, phi, count: 3, rows,
    h: config.hidden.map((u) => values(rows * u, 0.3)),
    c: config.hidden.map((u) => values(rows * u, 0.3)),
    ...(config.inputs === 'adam' ? { m: values(rows, 0.01), v: values(rows, 0.01).map((x) => x * x) } : {}),
  };
  // Gradients over several orders of magnitude, so both branches of the preprocessing are used.
  const grads = Array.from({ length: steps }, () => values(rows, 1).map((x, i) => x * 10 ** (-(i % 8))));
  return { start, grads, dUpdates: Array.from({ length: steps }, () => values(rows, 1)) };
}

function runShard(shard: Shard, truncation: ReturnType<typeof randomTruncation>) {
  // A shard may keep and change the start's state arrays: each run gets copies.
  const { start } = truncation;
  shard.begin({ ...start, h: start.h.map((a) => a.slice()), c: start.c.map((a) => a.slice()), ...(start.m ? { m: start.m.slice(), v: start.v!.slice() } : {}) });
  const updates = truncation.grads.map((g) => (shard.forward(g), shard.updates()));
  shard.finish(truncation.dUpdates, 64);
  return { updates, result: shard.result() };
}

describe('native LSTM kernel', () => {
  before(setupBackend);

  it('is built where the project requires it (L2L_REQUIRE_NATIVE=1, as in CI)', { skip: process.env.L2L_REQUIRE_NATIVE === '1' ? false : 'L2L_REQUIRE_NATIVE is not set' }, () => {
    assert.ok(native.kernel, `the native kernel did not load: ${native.reason}`);
    assert.equal(useNativeKernel(), 'native');
  });

  for (const [label, config] of CONFIGS) {
    it(`gives the TensorFlow.js shard's updates, meta-gradient and final states (${label})`, { skip: notBuilt }, () => {
      const truncation = randomTruncation(config, 300, 12);
      const reference = runShard(new LocalShard(), truncation);
      const fast = runShard(new KernelShard(native.kernel!), truncation);
      truncation.grads.forEach((_, t) => assertClose(fast.updates[t], reference.updates[t], { rtol: 1e-4, atol: 1e-6, label: `updates at step ${t}` }));
      reference.result.metaGrads.forEach((g, j) => {
        const scale = Math.max(...g.map(Math.abs));
        assertClose(fast.result.metaGrads[j], g, { rtol: 1e-4, atol: 1e-5 * scale, label: `meta-gradient ${j}` });
      });
      config.hidden.forEach((_, l) => {
        assertClose(fast.result.h[l], reference.result.h[l], { rtol: 1e-4, atol: 1e-6, label: `h${l}` });
        assertClose(fast.result.c[l], reference.result.c[l], { rtol: 1e-4, atol: 1e-6, label: `c${l}` });
      });
      if (config.inputs === 'adam') assertClose(fast.result.v!, reference.result.v!, { rtol: 1e-5, label: 'v' });
      // The caller's starting states are left as they were (the replay starts from them).
      assert.deepEqual(truncation.start.h[0], randomTruncation(config, 300, 12).start.h[0]);
    });
  }

  it('keeping the activations (truncation length given) gives the replay\'s numbers to the bit, on any number of threads', { skip: notBuilt }, () => {
    for (const [label, config] of CONFIGS) {
      // 1,300 rows: three chunks of work, the last one partial.
      const truncation = randomTruncation(config, 1300, 6);
      // Count which path each shard took: the replay (metaGradient) or the kept activations (backward).
      const calls = { metaGradient: 0, backward: 0 };
      const kernel = native.kernel!;
      const counting = {
        ...kernel,
        metaGradient: (...a: Parameters<typeof kernel.metaGradient>) => (calls.metaGradient++, kernel.metaGradient(...a)),
        backward: (...a: Parameters<typeof kernel.backward>) => (calls.backward++, kernel.backward(...a)),
      };
      const replayed = runShard(new KernelShard(counting), truncation);
      assert.deepEqual(calls, { metaGradient: 1, backward: 0 }, `${label}: without the length, the shard replays`);
      const kept = { ...truncation, start: { ...truncation.start, steps: 6 } };
      for (const threads of [1, 3]) {
        const fast = runShard(new KernelShard(counting, threads), kept);
        assert.deepEqual(fast.updates, replayed.updates, label);
        assert.deepEqual(fast.result, replayed.result, label);
      }
      assert.deepEqual(calls, { metaGradient: 1, backward: 2 }, `${label}: with it, the activations are kept`);
    }
  });

  it('gives the same numbers, to the bit, on any number of threads', { skip: notBuilt }, () => {
    // 1,300 rows: three chunks of work, the last one partial.
    const truncation = randomTruncation(PAPER_LSTM, 1300, 6);
    const [one, three] = [1, 3].map((threads) => runShard(new KernelShard(native.kernel!, threads), truncation));
    assert.deepEqual(three.updates, one.updates);
    assert.deepEqual(three.result, one.result);
  });

  it('as the learned optimizer: the same updates and states as TensorFlow.js over 5 steps', { skip: notBuilt }, () => {
    const config: LstmConfig = { ...PAPER_LSTM, inputs: 'adam' };
    const phi = metaParamsFromList(config, metaParamList(config, initMetaParams(config, new Rng(2))));
    const rng = new Rng(3);
    const params = [tf.tensor(rng.normalArray(12), [3, 4]), tf.tensor(rng.normalArray(5), [5])];
    const run = (optimizer: ReturnType<typeof lstmOptimizer>) => {
      let state = optimizer.init(params);
      const updates: Float32Array[][] = [];
      for (let t = 0; t < 5; t++) {
        const grads = params.map((p, i) => p.mul(0.1 * (t + 1) * (i + 1)));
        const result = optimizer.update(grads, state, params);
        updates.push(result.updates.map((u) => u.dataSync() as Float32Array));
        assert.deepEqual(result.updates.map((u) => u.shape), params.map((p) => p.shape));
        state = result.state;
      }
      return { updates, state };
    };
    const reference = run(lstmOptimizer(config, phi, null));
    const fast = run(lstmOptimizer(config, phi, native.kernel));
    reference.updates.forEach((step, t) => step.forEach((u, i) => assertClose(fast.updates[t][i], u, { rtol: 1e-4, atol: 1e-7, label: `step ${t} param ${i}` })));
    for (const slot of Object.keys(reference.state.slots)) {
      reference.state.slots[slot].forEach((s, i) => assertClose(fast.state.slots[slot][i].dataSync(), s.dataSync(), { rtol: 1e-4, atol: 1e-6, label: `${slot}[${i}]` }));
    }
    assert.equal(fast.state.count, 5);
  });

  it('as the learned optimizer: a later step leaves earlier states as they were, and a state can be stepped twice', { skip: notBuilt }, () => {
    const phi = initMetaParams(PAPER_LSTM, new Rng(4));
    const optimizer = lstmOptimizer(PAPER_LSTM, phi, native.kernel);
    const params = [tf.tensor(new Rng(5).normalArray(70), [7, 10])];
    const valuesOf = (state: OptState) => Object.values(state.slots).flatMap((ts) => ts.map((t) => Array.from(t.dataSync())));
    const grads = (t: number) => [params[0].mul(0.01 * (t + 1))];
    const states = [optimizer.init(params)];
    const seen = [valuesOf(states[0])];
    for (let t = 0; t < 4; t++) {
      states.push(optimizer.update(grads(t), states[t], params).state);
      seen.push(valuesOf(states[t + 1]));
    }
    states.forEach((state, t) => assert.deepEqual(valuesOf(state), seen[t], `state after ${t} steps`));
    // Stepping the state after 2 steps again gives the state after 3 steps again.
    assert.deepEqual(valuesOf(optimizer.update(grads(2), states[2], params).state), seen[3]);
  });

  it('L2L_KERNEL chooses the kernel, and an unknown name is an error that lists the choices', () => {
    assert.equal(useNativeKernel('tfjs'), 'tfjs');
    assert.throws(() => useNativeKernel('gpu'), /unknown L2L_KERNEL 'gpu': use one of native, tfjs/);
    assert.equal(useNativeKernel(), native.kernel ? 'native' : 'tfjs');
  });

  it('L2L_KERNEL_THREADS sets the main thread\'s kernel threads, and a bad value is an error', { skip: notBuilt }, () => {
    const before = process.env.L2L_KERNEL_THREADS;
    try {
      process.env.L2L_KERNEL_THREADS = '3';
      useNativeKernel();
      assert.equal(kernelThreads(), 3);
      process.env.L2L_KERNEL_THREADS = '0';
      assert.throws(() => useNativeKernel(), /L2L_KERNEL_THREADS must be a whole number of at least 1, got '0'/);
    } finally {
      if (before === undefined) delete process.env.L2L_KERNEL_THREADS;
      else process.env.L2L_KERNEL_THREADS = before;
      useNativeKernel();
    }
  });
});
