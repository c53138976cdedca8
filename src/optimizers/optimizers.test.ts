import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { assertClose, setupBackend } from '../testing/setup.ts';
import { adagrad } from './adagrad.ts';
import { adam } from './adam.ts';
import { momentum, nag } from './momentum.ts';
import { applyUpdates, type Optimizer } from './optimizer.ts';
import { rmsprop } from './rmsprop.ts';
import { sgd } from './sgd.ts';
import { sumOptimizer } from './sum.ts';

// Every case starts from θ0 = [1, −2] and sees the gradients g1 = [0.5, −1], then g2 = [−1, 2].
const g1 = [0.5, -1];
const g2 = [-1, 2];

/** θ after each of two updates with gradients g1, g2, and the state saved and loaded back in between. */
function twoSteps(optimizer: Optimizer): number[][] {
  const theta = Float32Array.of(1, -2);
  let state = optimizer.init(theta.length);
  return [g1, g2].map((g) => {
    applyUpdates(theta, optimizer.update(Float32Array.from(g), state));
    state = optimizer.load(optimizer.save(state), theta.length);
    return Array.from(theta);
  });
}

function expectSteps(optimizer: Optimizer, theta1: number[], theta2: number[]): void {
  const [a, b] = twoSteps(optimizer);
  assertClose(a, theta1, { rtol: 1e-5, label: `${optimizer.name} θ1` });
  assertClose(b, theta2, { rtol: 1e-5, label: `${optimizer.name} θ2` });
}

describe('hand-designed optimizers: one and two steps worked out by hand', () => {
  it('sgd', () => {
    // Δ = −0.1·g: Δ1 = [−0.05, 0.1], Δ2 = [0.1, −0.2].
    expectSteps(sgd(0.1), [0.95, -1.9], [1.05, -2.1]);
  });

  it('momentum', () => {
    // v1 = g1, Δ1 = −0.1·v1 = [−0.05, 0.1]; v2 = 0.9·v1 + g2 = [−0.55, 1.1], Δ2 = [0.055, −0.11].
    expectSteps(momentum(0.1, 0.9), [0.95, -1.9], [1.005, -2.01]);
  });

  it('nag', () => {
    // Δ1 = −0.1·(g1 + 0.9·g1) = [−0.095, 0.19]; v2 = [−0.55, 1.1];
    // Δ2 = −0.1·(g2 + 0.9·v2) = −0.1·[−1.495, 2.99] = [0.1495, −0.299].
    expectSteps(nag(0.1, 0.9), [0.905, -1.81], [1.0545, -2.109]);
  });

  it('rmsprop', () => {
    // m1 = 0.01·g1² = [0.0025, 0.01], √m1 = [0.05, 0.1], Δ1 = −0.01·g1/√m1 = [−0.1, 0.1];
    // m2 = 0.99·m1 + 0.01·g2² = [0.012475, 0.0499], Δ2 = −0.01·g2/√m2 = [0.0895323, −0.0895323].
    expectSteps(rmsprop(0.01), [0.9, -1.9], [0.9895323, -1.9895323]);
  });

  it('adam', () => {
    // Step 1: m̂ = g1, v̂ = g1², so Δ1 = −0.1·sign(g1) = [−0.1, 0.1].
    // Step 2: m2 = 0.09·g1 + 0.1·g2 = [−0.055, 0.11], m̂ = m2/0.19;
    //         v2 = 0.000999·g1² + 0.001·g2² = [0.00124975, 0.004999], v̂ = v2/0.001999;
    //         Δ2 = −0.1·m̂/√v̂ = [0.0366104, −0.0366104].
    expectSteps(adam(0.1), [0.9, -1.9], [0.9366104, -1.9366104]);
  });

  it('adagrad', () => {
    // s1 = g1² = [0.25, 1], Δ1 = [−0.1, 0.1]; s2 = [1.25, 5], Δ2 = −0.1·g2/√s2 = [0.0894427, −0.0894427].
    expectSteps(adagrad(0.1), [0.9, -1.9], [0.9894427, -1.9894427]);
  });
});

describe('hand-designed optimizers agree with tf.train over 10 steps', () => {
  before(setupBackend);

  // f(θ) = Σ a_k (θ_k − c_k)² on a 2×3 matrix variable, so the gradients change every step.
  const a = [1, 3, 0.5, 2, 0.1, 4];
  const c = [0.3, -1, 2, 0.5, -0.2, 1];
  const theta0 = [1, 2, -1, 0.5, 3, -2];
  const lossOf = (theta: tf.Tensor) => tf.tensor(a, [2, 3]).mul(theta.sub(tf.tensor(c, [2, 3])).square()).sum() as tf.Scalar;

  function ours(optimizer: Optimizer): Float32Array {
    const theta = Float32Array.from(theta0);
    const state = optimizer.init(theta.length);
    for (let t = 0; t < 10; t++) {
      const grad = tf.tidy(() => tf.grad((p: tf.Tensor) => lossOf(p))(tf.tensor(theta, [2, 3])).dataSync() as Float32Array);
      applyUpdates(theta, optimizer.update(grad, state));
    }
    return theta;
  }

  function theirs(optimizer: tf.Optimizer): Float32Array {
    const v = tf.variable(tf.tensor(theta0, [2, 3]));
    for (let t = 0; t < 10; t++) optimizer.minimize(() => lossOf(v));
    return v.dataSync() as Float32Array;
  }

  const cases: Array<[string, () => Optimizer, () => tf.Optimizer, number]> = [
    ['sgd', () => sgd(0.05), () => tf.train.sgd(0.05), 1e-5],
    ['momentum', () => momentum(0.05, 0.9), () => tf.train.momentum(0.05, 0.9), 1e-5],
    ['nag', () => nag(0.05, 0.9), () => tf.train.momentum(0.05, 0.9, true), 1e-5],
    // tf.train.rmsprop puts ε inside the square root and defaults decay 0.9: pass ours the same decay.
    ['rmsprop', () => rmsprop(0.01, 0.9, 1e-8), () => tf.train.rmsprop(0.01, 0.9, 0, 1e-8), 1e-4],
    ['adam', () => adam(0.1), () => tf.train.adam(0.1, 0.9, 0.999, 1e-8), 1e-4],
    // tf.train.adagrad starts its accumulator at a given value; 1e-12 is ours (zero) to float precision.
    ['adagrad', () => adagrad(0.1), () => tf.train.adagrad(0.1, 1e-12), 1e-4],
  ];
  for (const [name, mine, reference, rtol] of cases) {
    it(name, () => {
      assertClose(ours(mine()), theirs(reference()), { rtol, atol: 1e-5, label: name });
    });
  }
});

describe('sum of optimizers', () => {
  it('adds its parts\' updates, and saves and loads each part\'s state under its name', () => {
    const both = sumOptimizer('sgd + nag', {}, [['sgd', sgd(0.1)], ['nag', nag(0.1, 0.9)]]);
    const theta = Float32Array.of(1, -2);
    let state = both.init(2);
    for (const g of [g1, g2]) {
      applyUpdates(theta, both.update(Float32Array.from(g), state));
      const saved = both.save(state);
      assert.deepEqual(Object.keys(saved.arrays), ['nag.v']);
      state = both.load(saved, 2);
    }
    // sgd: [0.95, −1.9] then [1.05, −2.1] (Δ1 = [−0.05, 0.1], Δ2 = [0.1, −0.2]); nag: Δ1 = [−0.095, 0.19], Δ2 = [0.1495, −0.299].
    // Sum from θ0 = [1, −2]: Δ1 = [−0.145, 0.29], Δ2 = [0.2495, −0.499] → θ2 = [1.1045, −2.209].
    assertClose(theta, [1.1045, -2.209], { rtol: 1e-5 });
  });

  it('refuses a saved state of another size', () => {
    const saved = adam(0.1).save(adam(0.1).init(3));
    assert.throws(() => adam(0.1).load(saved, 4), /saved adam state: 'm' must hold 4 values, got 3/);
  });
});
