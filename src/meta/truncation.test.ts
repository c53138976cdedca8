import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Engine } from '../engine/engine.ts';
import { initMetaParams, type LstmConfig } from '../learned/lstmConfig.ts';
import { Rng } from '../random/rng.ts';
import { QuadraticFamily } from '../tasks/quadratic.ts';
import type { MetaObjective, Task } from '../tasks/task.ts';
import { engineCases, makeTestEngine } from '../testing/engines.ts';
import { mlpTruncationStart } from '../testing/mlpTruncation.ts';
import { assertClose, setupBackend } from '../testing/setup.ts';
import { adam } from '../optimizers/adam.ts';
import { frozenGradientMetaLoss, referenceImitation, referenceMetaGradient } from './referenceMetaGradient.ts';
import { loadOptimizee, releaseOptimizee, saveOptimizee, startOptimizee, truncation, type SavedOptimizee } from './truncation.ts';

// A tiny problem: 3 quadratics in 2-d, a 2-layer LSTM of 4 units, a 5-step truncation that
// starts mid-horizon (non-zero hidden state), output scale 0.3 so updates matter. Checked with
// the paper's preprocessing and with the raw gradient as input (where a leak through ∇ is large).
const preprocessed: LstmConfig = { hidden: [4, 4], inputs: 'gradient', preprocessP: 10, outputScale: 0.3, forgetBias: 1 };
const raw: LstmConfig = { ...preprocessed, preprocessP: null, outputScale: 1 };
// With a hand-designed step (NAG) added to the LSTM's output: it moves θ but does not depend on φ.
const withBase: LstmConfig = { ...preprocessed, base: { optimizer: 'nag', learningRate: 0.05 } };
const adamInputs: LstmConfig = { ...preprocessed, inputs: 'adam' };
const bothInputs: LstmConfig = { ...preprocessed, inputs: 'both' };
const adamLogInputs: LstmConfig = { ...preprocessed, inputs: 'adam-log' };
// A base step whose rate is meta-learned: φ ends with β, the rate is 0.05·e^β.
const learnedRate: LstmConfig = { ...preprocessed, base: { optimizer: 'nag', learningRate: 0.05, learnRate: true } };
// A magnitude output: the head's two outputs d, m give the update s·d·e^(λm).
const withMagnitude: LstmConfig = { ...preprocessed, magnitude: 0.7 };
const adamMagnitude: LstmConfig = { ...adamInputs, magnitude: 0.7 };
// Parameter inputs: the LSTM also reads θ, which moves with φ; the fast path holds it constant as
// it holds the gradients, so the references feed it as a constant too.
const adamParams: LstmConfig = { ...adamInputs, paramInput: true };
const withParams: LstmConfig = { ...preprocessed, paramInput: true };
const T = 5;

/** The truncation's meta-gradient and losses from `start` on `engine` (the start is not changed). */
function run(engine: Engine, config: LstmConfig, phi: Float32Array, task: Task, start: SavedOptimizee, steps: number, objective: MetaObjective = 'loss') {
  const state = loadOptimizee(engine, config, start);
  const result = truncation(engine, { config, phi }, task, state, steps, { objective });
  const next = saveOptimizee(engine, state);
  releaseOptimizee(engine, state);
  return { ...result, metaGrad: result.metaGrad!, next };
}

/** The tiny problem for `config` (raw inputs get the small-gradient 'deepmind' quadratics), started with 3 untrained steps. */
function setup(engine: Engine, config: LstmConfig) {
  const rng = new Rng(7);
  const task = new QuadraticFamily({ dims: 2, variant: config.preprocessP === null ? 'deepmind' : 'paper' }).sample(rng.child('task'), 3);
  // A random head even with a base step, so that the LSTM's part of the update is not zero; β = 0.3.
  const lstmPhi = initMetaParams({ ...config, base: null }, rng.child('phi'));
  const phi = config.base?.learnRate ? Float32Array.from([...lstmPhi, 0.3]) : lstmPhi;
  const state = startOptimizee(engine, config, task.init(rng.child('theta')));
  truncation(engine, { config, phi }, task, state, 3, { train: false });
  const start = saveOptimizee(engine, state);
  releaseOptimizee(engine, state);
  return { rng, task, phi, start };
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/**
 * An imitation truncation's loss and ∂L/∂φ against autodiff of the reference with the fed
 * gradients and the teacher's updates given, and ∂L/∂φ along a random direction against central
 * finite differences of that reference.
 */
function assertImitationGradient(fast: { imitationLoss?: number; metaGrad: Float32Array | null }, config: LstmConfig, phi: Float32Array, start: SavedOptimizee, fedGrads: Float32Array[], taught: Float32Array[], rng: Rng) {
  const ref = referenceImitation(config, phi, start, fedGrads, taught);
  assertClose([fast.imitationLoss!], [ref.loss], { rtol: 1e-4, label: 'imitation loss' });
  assertClose(fast.metaGrad!, ref.grad, { rtol: 1e-3, atol: 1e-7, label: 'd(imitation loss)/dphi' });
  const eps = 1e-2;
  const d = rng.normalArray(phi.length);
  const at = (sign: number) => referenceImitation(config, phi.map((p, i) => p + sign * eps * d[i]), start, fedGrads, taught).loss;
  assertClose([dot(fast.metaGrad!, d)], [(at(1) - at(-1)) / (2 * eps)], { rtol: 2e-2, atol: 1e-7, label: 'finite difference' });
}

for (const { name, skip } of engineCases()) {
  describe(`truncated meta-gradient (${name} engine)`, { skip }, () => {
    let engine: Engine;
    before(async () => {
      await setupBackend();
      engine = makeTestEngine(name);
    });
    after(() => engine.close());

    for (const [label, config] of [['preprocessed', preprocessed], ["RNNprop-style 'adam'", adamInputs], ["'both'", bothInputs], ["'adam-log'", adamLogInputs], ['preprocessed, NAG base step', withBase], ['preprocessed, NAG base step with a learned rate', learnedRate], ['preprocessed, magnitude output', withMagnitude], ["'adam', magnitude output", adamMagnitude], ['preprocessed and parameter', withParams], ["'adam' and parameter", adamParams]] as const) {
      it(`equals the autodiff reference path with an explicit stop-gradient (${label} inputs)`, () => {
        const { task, phi, start } = setup(engine, config);
        const fast = run(engine, config, phi, task, start, T);
        const ref = referenceMetaGradient(config, phi, task, start, T);
        assertClose(fast.metaGrad, ref.metaGrad, { rtol: 1e-3, atol: 1e-4, label: 'dL/dphi' });
        assertClose([fast.losses.reduce((a, b) => a + b)], [ref.metaLoss], { rtol: 1e-4, label: 'meta-loss' });
      });
    }

    for (const [label, config] of [['preprocessed', preprocessed], ['raw', raw], ["'both'", bothInputs], ["'adam-log'", adamLogInputs], ['preprocessed, NAG base step', withBase], ['preprocessed, NAG base step with a learned rate', learnedRate], ['preprocessed, magnitude output', withMagnitude], ['preprocessed and parameter', withParams]] as const) {
      it(`matches central finite differences of the truncated meta-loss with the gradient frozen (${label} inputs)`, () => {
        const { rng, task, phi, start } = setup(engine, config);
        const g = run(engine, config, phi, task, start, T).metaGrad;
        const { fedGrads, fedParams } = referenceMetaGradient(config, phi, task, start, T);
        const gLeaky = referenceMetaGradient(config, phi, task, start, T, { stopGradient: false }).metaGrad;
        const eps = 1e-2;
        let leakyMismatch = 0;
        let fastMismatch = 0;
        for (let k = 0; k < 4; k++) {
          // A random direction d over all of φ; compare ⟨∇L, d⟩ with (L(φ+εd) − L(φ−εd)) / 2ε.
          const d = rng.child(`direction${k}`).normalArray(phi.length);
          const shifted = (sign: number) => phi.map((p, i) => p + sign * eps * d[i]);
          const fd = (frozenGradientMetaLoss(config, shifted(1), task, start, fedGrads, 'loss', fedParams) - frozenGradientMetaLoss(config, shifted(-1), task, start, fedGrads, 'loss', fedParams)) / (2 * eps);
          assertClose([dot(g, d)], [fd], { rtol: 2e-2, atol: 1e-2, label: `direction ${k}` });
          leakyMismatch = Math.max(leakyMismatch, Math.abs(dot(gLeaky, d) - fd) / Math.abs(fd));
          fastMismatch = Math.max(fastMismatch, Math.abs(dot(g, d) - fd) / Math.abs(fd));
        }
        // The same check catches the classic bug: letting gradients flow through ∇ changes ∂L/∂φ
        // (visibly with raw inputs; the log-magnitude preprocessing damps the leak).
        if (label === 'raw') {
          assert.ok(leakyMismatch > 5e-3 && leakyMismatch > 3 * fastMismatch, `second-derivative path should disagree: mismatch ${leakyMismatch} vs ${fastMismatch}`);
        }
      });
    }

    it('equals the reference path for the log-loss meta-objective, a different objective', () => {
      const { task, phi, start } = setup(engine, preprocessed);
      const fast = run(engine, preprocessed, phi, task, start, T, 'log');
      const ref = referenceMetaGradient(preprocessed, phi, task, start, T, { objective: 'log' });
      const plain = referenceMetaGradient(preprocessed, phi, task, start, T);
      assertClose(fast.metaGrad, ref.metaGrad, { rtol: 1e-3, atol: 1e-4, label: 'dL/dphi (log)' });
      assert.ok(Math.abs(ref.metaGrad[0] - plain.metaGrad[0]) > 1e-3);
    });

    it('equals the reference path and central finite differences for the log of the mean loss (\'log-mean\'), unlike \'log\' on 3 members', () => {
      const { rng, task, phi, start } = setup(engine, preprocessed);
      const fast = run(engine, preprocessed, phi, task, start, T, 'log-mean');
      const ref = referenceMetaGradient(preprocessed, phi, task, start, T, { objective: 'log-mean' });
      assertClose(fast.metaGrad, ref.metaGrad, { rtol: 1e-3, atol: 1e-4, label: 'dL/dphi (log-mean)' });
      // Σ_t log(mean member loss): the fast path's objective sum is that of its own losses.
      assertClose([fast.objectiveSum], [fast.losses.reduce((s, l) => s + Math.log(l), 0)], { rtol: 1e-6, label: 'objective sum' });
      const eps = 1e-2;
      for (let k = 0; k < 2; k++) {
        const d = rng.child(`log-mean direction${k}`).normalArray(phi.length);
        const shifted = (sign: number) => phi.map((p, i) => p + sign * eps * d[i]);
        const fd = (frozenGradientMetaLoss(preprocessed, shifted(1), task, start, ref.fedGrads, 'log-mean', ref.fedParams) - frozenGradientMetaLoss(preprocessed, shifted(-1), task, start, ref.fedGrads, 'log-mean', ref.fedParams)) / (2 * eps);
        assertClose([dot(fast.metaGrad, d)], [fd], { rtol: 2e-2, atol: 1e-3, label: `log-mean direction ${k}` });
      }
      const perMember = run(engine, preprocessed, phi, task, start, T, 'log');
      assert.ok(Math.max(...fast.metaGrad.map((g, i) => Math.abs(g - perMember.metaGrad[i]))) > 1e-3, "'log-mean' and 'log' differ when members' losses differ");
    });

    it('carries θ, the LSTM state and the base step\'s state into the next truncation: 2 + 3 steps are 5 steps', () => {
      for (const config of [preprocessed, adamInputs, withBase, withMagnitude, adamParams]) {
        const { task, phi, start } = setup(engine, config);
        const first = run(engine, config, phi, task, start, 2);
        const second = run(engine, config, phi, task, first.next, 3);
        const whole = run(engine, config, phi, task, start, 5);
        assert.equal(second.next.step, start.step + 5);
        assertClose(second.next.theta, whole.next.theta, { rtol: 1e-5, label: 'theta' });
        assertClose([...first.losses, ...second.losses], whole.losses, { rtol: 1e-5, label: 'losses' });
        whole.next.lstm.h.forEach((h, l) => assertClose(second.next.lstm.h[l], h, { rtol: 1e-5, atol: 1e-7, label: `h${l}` }));
        assert.equal(second.next.lstm.count, whole.next.lstm.count);
        if (config.base) assertClose(second.next.base!.arrays.v, whole.next.base!.arrays.v, { rtol: 1e-5, label: 'NAG velocity' });
      }
    });

    it('the base step moves θ (the same φ without it ends elsewhere)', () => {
      const { task, phi, start } = setup(engine, withBase);
      const withIt = run(engine, withBase, phi, task, start, T);
      const without = run(engine, preprocessed, phi, task, { ...start, base: null }, T);
      assert.ok(Math.abs(without.losses[T - 1] - withIt.losses[T - 1]) > 1e-3);
    });

    it('with parameter inputs, the LSTM reads θ: the same gradient at other values gives another update; without them it does not', () => {
      // One step from the start with its gradient held, at θ and at 10θ: the update is θ's change.
      for (const config of [adamParams, adamInputs]) {
        const { task, phi, start } = setup(engine, config);
        const update = (theta: Float32Array) => run(engine, config, phi, task, { ...start, theta }, 1).next.theta.map((x, j) => x - theta[j]);
        const here = update(start.theta);
        const there = update(start.theta.map((x) => 10 * x));
        const change = Math.max(...here.map((u, j) => Math.abs(u - there[j])));
        if (config.paramInput) assert.ok(change > 2e-4, `θ changes the update (by ${change})`);
        else assert.ok(change < 2e-5, `without parameter inputs θ does not change the update (by ${change})`);
      }
    });

    for (const [label, config] of [['preprocessed', preprocessed], ['a NAG base step with a learned rate', learnedRate], ["'adam' and parameter inputs", adamParams]] as const) {
      it(`imitating a teacher (Adam), θ follows the teacher and the gradient of the imitation loss equals autodiff and finite differences (${label})`, () => {
        const { rng, task, phi, start } = setup(engine, config);
        const teacher = adam(0.05);
        // The teacher's own run from the same start: its updates and the gradients along its trajectory.
        const teacherState = teacher.init(start.theta.length);
        const theta = start.theta.slice();
        const fedGrads: Float32Array[] = [];
        const taught: Float32Array[] = [];
        for (let t = 0; t < T; t++) {
          fedGrads.push(task.lossAndGrad(theta, start.step + t).grad);
          taught.push(teacher.update(fedGrads[t], teacherState));
          theta.forEach((_, j) => (theta[j] += taught[t][j]));
        }
        const state = loadOptimizee(engine, config, start);
        state.teacher = { optimizer: adam(0.05), state: adam(0.05).init(start.theta.length) };
        const fast = truncation(engine, { config, phi }, task, state, T);
        assertClose(state.theta, theta, { rtol: 1e-6, label: 'θ follows the teacher' });
        releaseOptimizee(engine, state);
        assertImitationGradient(fast, config, phi, start, fedGrads, taught, rng.child('imitation-direction'));
      });
    }

    it('imitating on-policy (the learner moves θ), the teacher runs on the learner\'s gradients and the gradient equals autodiff and finite differences with those gradients held', () => {
      const { rng, task, phi, start } = setup(engine, preprocessed);
      // The learner's own run from the start: the gradients along its trajectory; the teacher's updates from those gradients.
      const own = loadOptimizee(engine, preprocessed, start);
      const fedGrads: Float32Array[] = [];
      for (let t = 0; t < T; t++) {
        fedGrads.push(own.grad?.slice() ?? task.lossAndGrad(own.theta, own.step).grad);
        truncation(engine, { config: preprocessed, phi }, task, own, 1, { train: false });
      }
      const teacher = adam(0.05);
      const teacherState = teacher.init(start.theta.length);
      const taught = fedGrads.map((g) => teacher.update(g, teacherState));
      const state = loadOptimizee(engine, preprocessed, start);
      state.teacher = { optimizer: adam(0.05), state: adam(0.05).init(start.theta.length) };
      const fast = truncation(engine, { config: preprocessed, phi }, task, state, T, { follow: 'learner' });
      assertClose(state.theta, own.theta, { rtol: 1e-6, label: 'θ follows the learner' });
      // The learner's trajectory is not the teacher's: θ after the teacher's updates is elsewhere.
      const byTeacher = start.theta.slice();
      for (const u of taught) byTeacher.forEach((_, j) => (byTeacher[j] += u[j]));
      assert.ok(Math.max(...byTeacher.map((x, j) => Math.abs(x - own.theta[j]))) > 1e-2);
      releaseOptimizee(engine, state);
      releaseOptimizee(engine, own);
      assertImitationGradient(fast, preprocessed, phi, start, fedGrads, taught, rng.child('on-policy-direction'));
    });

    it('on an MNIST network (4 parameter tensors, 2,395 coordinates) gives the TensorFlow.js engine\'s meta-gradient, losses and next state', async () => {
      const reference = makeTestEngine('tfjs');
      // With parameter inputs each engine takes its own log of θ (last-bit differences, which 7
      // LSTM steps amplify to ~1e-6 of θ; a θ read at the wrong time would be off by the update, ~1e-2).
      for (const lstm of [{ ...preprocessed, outputScale: 0.1 }, { ...preprocessed, outputScale: 0.1, base: { optimizer: 'nag', learningRate: 0.5 } }, { ...preprocessed, outputScale: 0.1, magnitude: 1 }, { ...adamParams, outputScale: 0.1 }]) {
        const mine = mlpTruncationStart(engine, lstm, 3, 16, 11);
        const theirs = mlpTruncationStart(reference, lstm, 3, 16, 11);
        const a = run(engine, lstm, mine.phi, mine.task, mine.start, 4);
        const b = run(reference, lstm, theirs.phi, theirs.task, theirs.start, 4);
        const scale = Math.max(...b.metaGrad.map(Math.abs));
        assertClose(a.metaGrad, b.metaGrad, { rtol: 1e-3, atol: 1e-5 * scale, label: 'dL/dphi' });
        assertClose(a.losses, b.losses, { rtol: 1e-5 });
        assertClose(a.next.theta, b.next.theta, { rtol: 1e-5, atol: lstm.paramInput ? 2e-6 : 1e-7 });
        b.next.lstm.c.forEach((c, l) => assertClose(a.next.lstm.c[l], c, { rtol: 1e-3, atol: 1e-5, label: `c${l}` }));
        mine.task.dispose?.();
        theirs.task.dispose?.();
      }
      await reference.close();
    });
  });
}
