import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { assertClose, setupBackend } from '../testing/setup.ts';
import { adagrad } from './adagrad.ts';
import { adam } from './adam.ts';
import { momentum, nag } from './momentum.ts';
import { step, type Optimizer } from './optimizer.ts';
import { rmsprop } from './rmsprop.ts';
import { sgd } from './sgd.ts';

// Every case starts from θ0 = [1, −2] and sees the gradients g1 = [0.5, −1], then g2 = [−1, 2].
const g1 = [0.5, -1];
const g2 = [-1, 2];

/** θ after each of two updates with gradients g1, g2. */
function twoSteps(optimizer: Optimizer): number[][] {
  let params: tf.Tensor[] = [tf.tensor1d([1, -2])];
  let state = optimizer.init(params);
  const out: number[][] = [];
  for (const g of [g1, g2]) {
    const grads = [tf.tensor1d(g)];
    ({ params, state } = step(optimizer, params, grads, state));
    tf.dispose(grads);
    out.push(Array.from(params[0].dataSync()));
  }
  return out;
}

/** The same on plain arrays (`arrayStepper`). */
function twoStepsOnArrays(optimizer: Optimizer): number[][] {
  const theta = Float32Array.of(1, -2);
  const stepper = optimizer.arrayStepper!([theta.length]);
  return [g1, g2].map((g) => {
    const [u] = stepper.updates([Float32Array.from(g)]);
    theta.forEach((_, j) => (theta[j] += u[j]));
    return Array.from(theta);
  });
}

function expectSteps(optimizer: Optimizer, theta1: number[], theta2: number[]): void {
  for (const [form, [a, b]] of [['tensors', twoSteps(optimizer)], ['arrays', twoStepsOnArrays(optimizer)]] as const) {
    assertClose(a, theta1, { rtol: 1e-5, label: `${optimizer.name} θ1 (${form})` });
    assertClose(b, theta2, { rtol: 1e-5, label: `${optimizer.name} θ2 (${form})` });
  }
}

describe('hand-designed optimizers: one and two steps worked out by hand', () => {
  before(setupBackend);

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
    let params: tf.Tensor[] = [tf.tensor(theta0, [2, 3])];
    let state = optimizer.init(params);
    for (let t = 0; t < 10; t++) {
      const grads = tf.grads((p: tf.Tensor) => lossOf(p))([params[0]]);
      ({ params, state } = step(optimizer, params, grads, state));
      tf.dispose(grads);
    }
    return params[0].dataSync() as Float32Array;
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
