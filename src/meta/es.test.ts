import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Engine } from '../engine/engine.ts';
import { initMetaParams, type LstmConfig } from '../learned/lstmConfig.ts';
import { Rng } from '../random/rng.ts';
import { QuadraticFamily } from '../tasks/quadratic.ts';
import type { Task, TaskFamily } from '../tasks/task.ts';
import { makeTestEngine, NATIVE_SKIP } from '../testing/engines.ts';
import { setupBackend } from '../testing/setup.ts';
import { metaIteration } from './metaIteration.ts';
import { metaOptimizer } from './metaOptimizer.ts';
import { esDirection, esMetaGradient, esPositions, type EsIterationSettings } from './es.ts';
import { releaseOptimizee, startOptimizee, truncation } from './truncation.ts';

// A tiny problem: 3 quadratics in 2-d, a 2-layer LSTM of 2 units (83 values of φ), 5 steps.
const config: LstmConfig = { hidden: [2, 2], inputs: 'gradient', preprocessP: 10, outputScale: 0.3, forgetBias: 1 };
const HORIZON = 5;

/** A family whose every sample is the same task from the same θ0, so F is one function of φ. */
function fixedFamily(): { family: TaskFamily; task: Task; theta0: Float32Array } {
  const inner = new QuadraticFamily({ dims: 2, variant: 'paper' });
  const rng = new Rng(7);
  const task = inner.sample(rng.child('task'), 3);
  const theta0 = task.init(rng.child('theta'));
  const fixedTask: Task = {
    members: task.members,
    objective: task.objective,
    paramShapes: task.paramShapes,
    init: () => theta0.slice(),
    lossAndGrad: (theta, step) => task.lossAndGrad(theta, step),
    loss: (params, step) => task.loss(params, step),
  };
  const family: TaskFamily = { name: 'fixed', config: {}, sample: () => fixedTask, sizeOf: (m) => inner.sizeOf(m) };
  return { family, task: fixedTask, theta0 };
}

/** F(φ): the 'loss' meta-objective averaged over the steps after `from`, from θ0 (losses summed by hand). */
function metaLoss(engine: Engine, task: Task, theta0: Float32Array, phi: Float32Array, from: number): number {
  const state = startOptimizee(engine, config, theta0);
  try {
    const { losses } = truncation(engine, { config, phi }, task, state, HORIZON, { train: false });
    return losses.slice(from).reduce((a, b) => a + b, 0) / (HORIZON - from);
  } finally {
    releaseOptimizee(engine, state);
  }
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

const cosine = (a: ArrayLike<number>, b: ArrayLike<number>) => dot(a, b) / Math.sqrt(dot(a, a) * dot(b, b));

describe('evolution strategies', () => {
  it('draws directions with covariance (1 − α)·I + α·n·uuᵀ', () => {
    const n = 50;
    const u = new Float32Array(n);
    u[0] = 3; // not unit: the direction is normalized
    const v = new Float32Array(n);
    v[1] = 1; // orthogonal to u
    const rng = new Rng(5);
    const samples = 4000;
    let alongU = 0;
    let alongV = 0;
    let squared = 0;
    for (let k = 0; k < samples; k++) {
      const e = esDirection(rng.child(k), n, 0.5, u);
      alongU += (e[0] * e[0]) / samples;
      alongV += dot(e, v) ** 2 / samples;
      squared += dot(e, e) / samples;
    }
    // Worked out: along u (1 − 0.5) + 0.5·50 = 25.5; across it 0.5; E‖ε‖² = n = 50.
    assert.ok(Math.abs(alongU - 25.5) < 25.5 * 0.1, `variance along u ${alongU}`);
    assert.ok(Math.abs(alongV - 0.5) < 0.05, `variance across u ${alongV}`);
    assert.ok(Math.abs(squared - 50) < 2.5, `E|ε|² ${squared}`);
    // No guide (or a zero one): plain N(0, I) from the same draws.
    assert.deepEqual(esDirection(new Rng(1), 4, 0.5, null), new Rng(1).normalArray(4));
    assert.deepEqual(esDirection(new Rng(1), 4, 0.5, new Float32Array(4)), new Rng(1).normalArray(4));
  });

  describe('on a fixed task', () => {
    let engine: Engine;
    let fixed: ReturnType<typeof fixedFamily>;
    let phi: Float32Array;
    /** The gradient of F by central finite differences, counting the steps after 0 and after 2. */
    const fd: Record<number, Float64Array> = {};
    before(async () => {
      await setupBackend();
      engine = makeTestEngine(NATIVE_SKIP ? 'tfjs' : 'native');
      fixed = fixedFamily();
      phi = initMetaParams(config, new Rng(3));
      const h = 1e-2;
      for (const from of [0, 2]) {
        fd[from] = new Float64Array(phi.length);
        for (let i = 0; i < phi.length; i++) {
          const plus = phi.slice();
          const minus = phi.slice();
          plus[i] += h;
          minus[i] -= h;
          fd[from][i] = (metaLoss(engine, fixed.task, fixed.theta0, plus, from) - metaLoss(engine, fixed.task, fixed.theta0, minus, from)) / (2 * h);
        }
      }
    });
    after(() => engine.close());

    const settings = (pairs: number, guide: number, updateFromStep = 0): EsIterationSettings => ({
      seed: 11, lstm: config, membersPerTask: 3, metaObjective: 'loss', unrollLength: HORIZON, es: { pairs, sigma: 1e-2, guide }, updateFromStep,
    });

    for (const from of [0, 2]) {
      it(`estimates the gradient of the meta-loss after step ${from} that finite differences give (1000 pairs)`, async () => {
        const estimate = await esMetaGradient(engine, fixed.family, settings(1000, 0, from), phi, 0, HORIZON);
        assert.equal(estimate.dropped, 0);
        assert.equal(estimate.losses.length, HORIZON);
        const g = estimate.metaGrad!;
        // 83 values, 1000 pairs: the estimate's noise leaves a cosine of about √(1000/1083) ≈ 0.96.
        assert.ok(cosine(g, fd[from]) > 0.9, `cosine ${cosine(g, fd[from])}`);
        const ratio = Math.sqrt(dot(g, g) / dot(fd[from], fd[from]));
        assert.ok(ratio > 0.9 && ratio < 1.2, `norm ratio ${ratio}`);
        // Counting fewer steps is a different function: here its gradient is about 1.4× as long.
        if (from > 0) assert.ok(Math.sqrt(dot(fd[from], fd[from]) / dot(fd[0], fd[0])) > 1.3);
      });
    }

    it('guided by the paper meta-gradient, gets the true slope along it', async () => {
      const estimate = await esMetaGradient(engine, fixed.family, settings(30, 0.99), phi, 0, HORIZON);
      const g = estimate.metaGrad!;
      // The surrogate of this tiny problem: the paper meta-gradient of the whole horizon.
      const state = startOptimizee(engine, config, fixed.theta0);
      const u = truncation(engine, { config, phi }, fixed.task, state, HORIZON, { objective: 'loss' }).metaGrad!;
      releaseOptimizee(engine, state);
      // α = 0.99: the estimate lies almost along u, with the sign of the true slope ⟨∇F, u⟩. (On
      // this tiny problem u and ∇F nearly coincide, so the sign alone proves little; the size along
      // u, below, checks the guided estimator's formula.)
      const slope = dot(fd[0], u);
      assert.ok(Math.abs(cosine(g, u)) > 0.95, `cosine with the surrogate ${cosine(g, u)}`);
      assert.equal(Math.sign(dot(g, u)), Math.sign(slope));
      // Its size along u: ≈ (0.01 + 0.99·n)·⟨∇F, û⟩ for n values (30 pairs: within 30%).
      const n = phi.length;
      const norm = Math.sqrt(dot(u, u));
      const expected = (0.01 + 0.99 * n) * (slope / norm);
      const measured = dot(g, u) / norm;
      assert.ok(Math.abs(measured / expected - 1) < 0.3, `along u ${measured}, expected ${expected}`);
    });

    it('makes one normalized meta-step per iteration along the estimate', async () => {
      const run = { phi: phi.slice(), metaState: metaOptimizer(0).init(phi.length) };
      const outcome = await metaIteration(engine, fixed.family, { ...settings(4, 0), clipGradNorm: 0 }, run, 0, HORIZON, 0.01);
      assert.equal(outcome.losses.length, HORIZON);
      assert.equal(outcome.skipped, 0);
      const g = (await esMetaGradient(engine, fixed.family, settings(4, 0), phi, 0, HORIZON)).metaGrad!;
      // φ moves by −0.01·√n·g/‖g‖: root-mean-square 0.01 per value.
      const scale = (0.01 * Math.sqrt(phi.length)) / Math.sqrt(dot(g, g));
      for (let i = 0; i < phi.length; i++) assert.ok(Math.abs(run.phi[i] - phi[i] + scale * g[i]) < 1e-6, `φ[${i}]`);
      let rms = 0;
      for (let i = 0; i < phi.length; i++) rms += (run.phi[i] - phi[i]) ** 2 / phi.length;
      assert.ok(Math.abs(Math.sqrt(rms) - 0.01) < 1e-5);
    });

    it('perturbs and steps only the meta-parameters --es-params names', async () => {
      const head = esPositions(config, ['head']);
      assert.deepEqual([...head], [80, 81, 82]); // head.w [2 × 1] and head.b, after the LSTM's 80 values
      const only = { ...settings(4, 0), es: { pairs: 4, sigma: 1e-2, guide: 0, params: ['head'] } };
      const estimate = await esMetaGradient(engine, fixed.family, only, phi, 0, HORIZON);
      assert.equal(estimate.moved, 3);
      const g = estimate.metaGrad!;
      g.forEach((x, i) => assert.equal(x !== 0, i >= 80, `estimate[${i}]`));
      const run = { phi: phi.slice(), metaState: metaOptimizer(0).init(phi.length) };
      await metaIteration(engine, fixed.family, { ...only, clipGradNorm: 0 }, run, 0, HORIZON, 0.01);
      // Root-mean-square 0.01 over the 3 values moved; the others unchanged.
      let squares = 0;
      for (let i = 0; i < phi.length; i++) {
        if (i < 80) assert.equal(run.phi[i], phi[i]);
        else squares += (run.phi[i] - phi[i]) ** 2;
      }
      assert.ok(Math.abs(Math.sqrt(squares / 3) - 0.01) < 1e-5);
    });
  });
});
