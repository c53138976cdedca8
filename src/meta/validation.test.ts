import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { initMetaParams, PAPER_LSTM } from '../learned/lstmConfig.ts';
import { Rng } from '../random/rng.ts';
import { MixtureFamily } from '../tasks/mixture.ts';
import { QuadraticFamily } from '../tasks/quadratic.ts';
import { makeTestEngine } from '../testing/engines.ts';
import { setupBackend } from '../testing/setup.ts';
import { resample, validationScore, validator } from './validation.ts';

describe('validation', () => {
  before(setupBackend);

  /** A mixture of 2-d (16 members) and 4-d (8 members) quadratics, weighted 1 and `largeWeight`, and φ. */
  function twoQuadratics(largeWeight: number) {
    const small = new QuadraticFamily({ dims: 2, variant: 'paper' });
    const large = new QuadraticFamily({ dims: 4, variant: 'paper' });
    const mixture = new MixtureFamily([
      { id: 'small', family: small, members: 16, weight: 1 },
      { id: 'large', family: large, members: 8, weight: largeWeight },
    ]);
    return { small, large, mixture, settings: { seed: 3, lstm: PAPER_LSTM, validationMembers: 1 }, phi: initMetaParams(PAPER_LSTM, new Rng(4)) };
  }

  it('validates a mixture on every component, the mean of their curves with equal weight', async () => {
    const engine = makeTestEngine('tfjs');
    const { small, large, mixture, settings, phi } = twoQuadratics(5);
    const curve = await validator(engine, mixture, settings).curve(phi, 5);
    const part = (family: QuadraticFamily, id: string, members: number) =>
      validator(engine, family, { ...settings, seed: new Rng(3).child(`validation-${id}`).int(2 ** 31), validationMembers: members }).curve(phi, 5);
    const [a, b] = [await part(small, 'small', 16), await part(large, 'large', 8)];
    assert.equal(curve.length, 6);
    curve.forEach((v, t) => assert.ok(Math.abs(v - (a[t] + b[t]) / 2) <= 1e-6 * Math.abs(v), `step ${t}: ${v} vs ${(a[t] + b[t]) / 2}`));
    // The two components' curves differ, so the weights of the mixture did not enter.
    assert.notEqual(a[5], b[5]);
  });

  it("combines a mixture's components by their geometric mean, and adds a long-horizon member resampled onto the stage's steps", async () => {
    const engine = makeTestEngine('tfjs');
    const { small, large, mixture, settings, phi } = twoQuadratics(1);
    const part = (family: QuadraticFamily, stream: string, members: number, steps: number) =>
      validator(engine, family, { ...settings, seed: new Rng(3).child(stream).int(2 ** 31), validationMembers: members }).curve(phi, steps);
    const [a, b] = [await part(small, 'validation-small', 16, 5), await part(large, 'validation-large', 8, 5)];
    // The long member: 'large' again, its own draws, 10 steps, of which steps 0, 2, ..., 10 enter.
    const long = await part(large, 'validation-long-large', 8, 10);
    const geometric = await validator(engine, mixture, { ...settings, validationMean: 'geometric' }).curve(phi, 5);
    const both = await validator(engine, mixture, { ...settings, validationMean: 'geometric', validationLong: { component: 'large', steps: 10 } }).curve(phi, 5);
    const arithmetic = await validator(engine, mixture, { ...settings, validationLong: { component: 'large', steps: 10 } }).curve(phi, 5);
    const close = (x: number, y: number, what: string) => assert.ok(Math.abs(x - y) <= 1e-6 * Math.abs(y), `${what}: ${x} vs ${y}`);
    for (let t = 0; t <= 5; t++) {
      close(geometric[t], Math.sqrt(a[t] * b[t]), `geometric, step ${t}`);
      close(both[t], Math.cbrt(a[t] * b[t] * long[2 * t]), `geometric with the long member, step ${t}`);
      close(arithmetic[t], (a[t] + b[t] + long[2 * t]) / 3, `arithmetic with the long member, step ${t}`);
    }
    // The long member's draws are not the 5-step member's, and its step 10 is below its step 5.
    assert.notEqual(long[5], b[5]);
    assert.ok(long[10] < long[5]);
    assert.throws(() => validator(engine, mixture, { ...settings, validationLong: { component: 'mnist', steps: 10 } }), /'mnist' is not a component of the mixture \(small, large\)/);
  });

  it('resamples a curve of S steps onto T steps: step round(t·S/T) at t', () => {
    assert.deepEqual(resample([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 5), [0, 2, 4, 6, 8, 10]);
    // S/T = 1/2: t = 1 reads step round(0.5) = 1, t = 3 step round(1.5) = 2.
    assert.deepEqual(resample([5, 6, 7], 4), [5, 6, 6, 7, 7]);
    assert.deepEqual(resample([5, 6, 7], 2), [5, 6, 7]);
  });

  it('scores a curve by its final step, its mean over steps 1..T, or its last half', () => {
    // curve[t] after t steps; T = 5, so the last half is steps 3..5.
    const curve = [10, 6, 4, 3, 2, 1];
    assert.equal(validationScore(curve, 'final'), 1);
    assert.equal(validationScore(curve, 'mean'), (6 + 4 + 3 + 2 + 1) / 5);
    assert.equal(validationScore(curve, 'tail'), (3 + 2 + 1) / 3);
    // T = 4: the last half is steps 3..4.
    assert.equal(validationScore([9, 8, 7, 6, 5], 'tail'), 5.5);
    // 'last' selects nothing; its score, for the log, is the final step's.
    assert.equal(validationScore(curve, 'last'), 1);
  });
});
