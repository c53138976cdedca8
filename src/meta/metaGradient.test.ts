import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { initMetaParams, metaParamList, type LstmConfig } from '../learned/lstmConfig.ts';
import { lstmOptimizer } from '../learned/lstmOptimizer.ts';
import { metaParamsFromList } from '../learned/lstmConfig.ts';
import { Rng } from '../random/rng.ts';
import { QuadraticFamily } from '../tasks/quadratic.ts';
import { assertClose, setupBackend } from '../testing/setup.ts';
import { flat, mlpTruncationStart } from '../testing/mlpTruncation.ts';
import { truncatedMetaGradient } from './metaGradient.ts';
import { setLstmRowKernel } from '../learned/rowKernel.ts';
import { loadNativeKernel, useNativeKernel } from '../native/nativeKernel.ts';
import { createLocalShard } from './shard.ts';
import { frozenGradientMetaLoss, referenceMetaGradient } from './referenceMetaGradient.ts';

// A tiny problem: 3 quadratics in 2-d, a 2-layer LSTM of 4 units, a 5-step truncation that
// starts mid-horizon (non-zero hidden state), output scale 0.3 so updates matter. Checked with
// the paper's preprocessing and with the raw gradient as input (where a leak through ∇ is large).
const preprocessed: LstmConfig = { hidden: [4, 4], inputs: 'gradient', preprocessP: 10, outputScale: 0.3, forgetBias: 1 };
const raw: LstmConfig = { ...preprocessed, preprocessP: null, outputScale: 1 };
// With a hand-designed step (NAG) added to the LSTM's output: it moves θ but does not depend on φ.
const withBase: LstmConfig = { ...preprocessed, base: { optimizer: 'nag', learningRate: 0.05 } };
let config = preprocessed;
const T = 5;

function setup() {
  const rng = new Rng(7);
  // Raw inputs get the small-gradient 'deepmind' quadratics so the LSTM is not saturated.
  const variant = config.preprocessP === null ? 'deepmind' : 'paper';
  const task = new QuadraticFamily({ dims: 2, variant }).sample(rng.child('task'), 3);
  // A random head even with a base step, so that the LSTM's part of the update is not zero.
  const phi = metaParamList(config, initMetaParams({ ...config, base: null }, rng.child('phi')));
  const params = task.init(rng.child('theta'));
  // Warm the LSTM state with 3 steps so the truncation starts from a non-trivial state.
  const optimizer = lstmOptimizer(config, metaParamsFromList(config, phi));
  let state = optimizer.init(params);
  for (let t = 0; t < 3; t++) state = optimizer.update(task.lossAndGrad(params, t).grads, state, params).state;
  return { rng, task, phi, start: { params, state, step: 3 } };
}


// Every test runs twice: with the LSTM on TensorFlow.js and on the native kernel.
const native = loadNativeKernel();
for (const kernel of ['tfjs', 'native'] as const) {
describe(`truncated meta-gradient (LSTM on ${kernel})`, { skip: kernel === 'native' && !native.kernel ? `native kernel not built: ${native.reason}` : false }, () => {
  before(async () => {
    await setupBackend();
    setLstmRowKernel(kernel === 'native' ? native.kernel : null);
  });
  after(() => useNativeKernel());

  it('equals the autodiff reference path with an explicit stop-gradient', () => {
    const { task, phi, start } = setup();
    const fast = truncatedMetaGradient(config, phi, task, start, T);
    const ref = referenceMetaGradient(config, phi, task, start, T);
    assertClose(flat(fast.metaGrads), flat(ref.metaGrads), { rtol: 1e-3, atol: 1e-4, label: 'dL/dphi' });
    assert.ok(Math.abs(fast.losses.reduce((a, b) => a + b) - ref.metaLoss) < 1e-3 * ref.metaLoss);
  });

  for (const [inputs, cfg] of [['preprocessed', preprocessed], ['raw', raw], ['preprocessed, NAG base step', withBase]] as const) {
  it(`matches central finite differences of the truncated meta-loss with the gradient frozen (${inputs} inputs)`, () => {
    config = cfg;
    const { rng, task, phi, start } = setup();
    const fast = truncatedMetaGradient(config, phi, task, start, T);
    const { fedGrads } = referenceMetaGradient(config, phi, task, start, T);
    const leaky = referenceMetaGradient(config, phi, task, start, T, false);
    const g = flat(fast.metaGrads);
    const gLeaky = flat(leaky.metaGrads);
    const eps = 1e-2;
    let leakyMismatch = 0;
    let fastMismatch = 0;
    for (let k = 0; k < 4; k++) {
      // A random direction d over all of φ; compare ⟨∇L, d⟩ with (L(φ+εd) − L(φ−εd)) / 2ε.
      const dirRng = rng.child(`direction${k}`);
      const d = phi.map((p) => tf.tensor(dirRng.normalArray(p.size), p.shape));
      const shifted = (sign: number) => phi.map((p, i) => p.add(d[i].mul(sign * eps)));
      const fd =
        (frozenGradientMetaLoss(config, shifted(1), task, start, fedGrads) -
          frozenGradientMetaLoss(config, shifted(-1), task, start, fedGrads)) /
        (2 * eps);
      const dFlat = flat(d);
      const analytic = g.reduce((s, x, i) => s + x * dFlat[i], 0);
      const analyticLeaky = gLeaky.reduce((s, x, i) => s + x * dFlat[i], 0);
      assertClose([analytic], [fd], { rtol: 2e-2, atol: 1e-2, label: `direction ${k}` });
      leakyMismatch = Math.max(leakyMismatch, Math.abs(analyticLeaky - fd) / Math.abs(fd));
      fastMismatch = Math.max(fastMismatch, Math.abs(analytic - fd) / Math.abs(fd));
    }
    // The same check catches the classic bug: letting gradients flow through ∇ changes ∂L/∂φ
    // (visibly with raw inputs; the log-magnitude preprocessing damps the leak).
    if (inputs === 'raw') {
      assert.ok(
        leakyMismatch > 5e-3 && leakyMismatch > 3 * fastMismatch,
        `second-derivative path should disagree: mismatch ${leakyMismatch} vs ${fastMismatch}`,
      );
    }
    config = preprocessed;
  });
  }

  it('with a base step: equals the reference path, carries the base state into the next truncation, and the step changes θ', () => {
    config = withBase;
    const { task, phi, start } = setup();
    const fast = truncatedMetaGradient(config, phi, task, start, T);
    const ref = referenceMetaGradient(config, phi, task, start, T);
    assertClose(flat(fast.metaGrads), flat(ref.metaGrads), { rtol: 1e-3, atol: 1e-4, label: 'dL/dphi (base step)' });
    assert.ok(Math.abs(fast.losses.reduce((a, b) => a + b) - ref.metaLoss) < 1e-3 * ref.metaLoss);
    assert.deepEqual(Object.keys(fast.next.state.slots).sort(), ['base.v', 'c0', 'c1', 'h0', 'h1']);
    const first = truncatedMetaGradient(config, phi, task, start, 2);
    const second = truncatedMetaGradient(config, phi, task, first.next, 3);
    assertClose(flat(second.next.params), flat(fast.next.params), { rtol: 1e-5, label: 'theta after 2 + 3 steps' });
    assertClose(flat(second.next.state.slots['base.v']), flat(fast.next.state.slots['base.v']), { rtol: 1e-5, label: 'NAG velocity' });
    config = { ...withBase, base: null };
    const without = truncatedMetaGradient(config, phi, task, setup().start, T);
    config = preprocessed;
    assert.ok(Math.abs(without.losses[T - 1] - fast.losses[T - 1]) > 1e-3, 'the base step moves θ');
  });

  it("equals the reference path with RNNprop-style 'adam' inputs", () => {
    config = { ...preprocessed, inputs: 'adam' };
    const { task, phi, start } = setup();
    const fast = truncatedMetaGradient(config, phi, task, start, T);
    const ref = referenceMetaGradient(config, phi, task, start, T);
    config = preprocessed;
    assertClose(flat(fast.metaGrads), flat(ref.metaGrads), { rtol: 1e-3, atol: 1e-4, label: 'dL/dphi (adam inputs)' });
  });

  it('equals the reference path for the log-loss meta-objective', () => {
    const { task, phi, start } = setup();
    const fast = truncatedMetaGradient(config, phi, task, start, T, 'log');
    const ref = referenceMetaGradient(config, phi, task, start, T, true, 'log');
    const plain = referenceMetaGradient(config, phi, task, start, T, true, 'loss');
    assertClose(flat(fast.metaGrads), flat(ref.metaGrads), { rtol: 1e-3, atol: 1e-4, label: 'dL/dphi (log)' });
    // And it is a different objective: its gradient is not the plain one.
    assert.ok(Math.abs(flat(ref.metaGrads)[0] - flat(plain.metaGrads)[0]) > 1e-3);
  });

  for (const [label, inputs, objective] of [['gradient inputs', 'gradient', 'loss'], ['adam inputs, log objective', 'adam', 'log']] as const) {
    it(`replaying the LSTM in blocks of rows gives the same meta-gradient and next state (${label})`, () => {
      config = { ...preprocessed, inputs };
      const { task, phi, start } = setup();
      const whole = truncatedMetaGradient(config, phi, task, start, T, objective);
      // 6 coordinate rows in blocks of 4: two blocks, the second one partial.
      const blocks = truncatedMetaGradient(config, phi, task, start, T, objective, 4);
      config = preprocessed;
      // Up to rounding: the blocked path also evaluates the quadratics on plain arrays (in double
      // precision), the whole one on TensorFlow.js; 'adam' inputs magnify the last bits.
      assertClose(flat(blocks.metaGrads), flat(whole.metaGrads), { rtol: 1e-4, atol: 1e-6, label: 'dL/dphi' });
      assertClose(blocks.losses, whole.losses, { rtol: 1e-6 });
      assertClose(flat(blocks.next.params), flat(whole.next.params), { rtol: 1e-6 });
      for (const slot of Object.keys(whole.next.state.slots)) {
        assertClose(flat(blocks.next.state.slots[slot]), flat(whole.next.state.slots[slot]), { rtol: 2e-5, atol: 1e-7, label: slot });
      }
    });
  }

  for (const [label, base] of [['', null], [', NAG base step', { optimizer: 'nag', learningRate: 0.5 }]] as const) {
  it(`splitting the rows among shards (as worker threads do) gives the same meta-gradient and next state (MLP: 4 parameter tensors${label})`, () => {
    const lstm: LstmConfig = { ...preprocessed, outputScale: 0.1, base };
    const { task, phi, start } = mlpTruncationStart(lstm, 3, 16, 11);
    const whole = truncatedMetaGradient(lstm, phi, task, start, 4);
    // 2,395 rows: three shards (the first here, two standing in for workers), each in blocks of 500.
    const shards = [createLocalShard(), createLocalShard()];
    const tensorsBefore = tf.memory().numTensors;
    const sharded = truncatedMetaGradient(lstm, phi, task, start, 4, 'loss', 500, shards);
    const returned = [...sharded.metaGrads, ...sharded.next.params, ...Object.values(sharded.next.state.slots).flat()];
    assert.equal(tf.memory().numTensors - tensorsBefore, returned.length, 'only the returned tensors are new (the task caches one minibatch, also kept before)');
    assertClose(flat(sharded.metaGrads), flat(whole.metaGrads), { rtol: 1e-4, atol: 1e-7, label: 'dL/dphi' });
    assertClose(sharded.losses, whole.losses, { rtol: 1e-6 });
    // Up to rounding: without a base step and with the native kernels, the sharded path evaluates
    // the MLP on plain arrays (native), the whole one on TensorFlow.js.
    assertClose(flat(sharded.next.params), flat(whole.next.params), { rtol: 1e-6, atol: 1e-7 });
    for (const slot of Object.keys(whole.next.state.slots)) {
      assert.deepEqual(sharded.next.state.slots[slot].map((t) => t.shape), whole.next.state.slots[slot].map((t) => t.shape), slot);
      assertClose(flat(sharded.next.state.slots[slot]), flat(whole.next.state.slots[slot]), { rtol: 1e-6, atol: 1e-6, label: slot });
    }
  });
  }

  it('carries θ and the LSTM state, detached, into the next truncation', () => {
    const { task, phi, start } = setup();
    const first = truncatedMetaGradient(config, phi, task, start, 2);
    const second = truncatedMetaGradient(config, phi, task, first.next, 3);
    const whole = truncatedMetaGradient(config, phi, task, start, 5);
    assert.equal(second.next.step, start.step + 5);
    assertClose(second.next.params[0].dataSync(), whole.next.params[0].dataSync(), { rtol: 1e-5, label: 'theta' });
    assertClose([...first.losses, ...second.losses], whole.losses, { rtol: 1e-5, label: 'losses' });
  });
});
}
