import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { initMetaParams, PAPER_LSTM } from '../learned/lstmConfig.ts';
import { Rng } from '../random/rng.ts';
import { MixtureFamily } from '../tasks/mixture.ts';
import { QuadraticFamily } from '../tasks/quadratic.ts';
import { makeTestEngine } from '../testing/engines.ts';
import { setupBackend } from '../testing/setup.ts';
import { validationScore, validator } from './validation.ts';

describe('validation', () => {
  before(setupBackend);

  it('validates a mixture on every component, the mean of their curves with equal weight', async () => {
    const engine = makeTestEngine('tfjs');
    const small = new QuadraticFamily({ dims: 2, variant: 'paper' });
    const large = new QuadraticFamily({ dims: 4, variant: 'paper' });
    const mixture = new MixtureFamily([
      { id: 'small', family: small, members: 16, weight: 1 },
      { id: 'large', family: large, members: 8, weight: 5 },
    ]);
    const settings = { seed: 3, lstm: PAPER_LSTM, validationMembers: 1 };
    const phi = initMetaParams(PAPER_LSTM, new Rng(4));
    const curve = await validator(engine, mixture, settings).curve(phi, 5);
    const part = (family: QuadraticFamily, id: string, members: number) =>
      validator(engine, family, { ...settings, seed: new Rng(3).child(`validation-${id}`).int(2 ** 31), validationMembers: members }).curve(phi, 5);
    const [a, b] = [await part(small, 'small', 16), await part(large, 'large', 8)];
    assert.equal(curve.length, 6);
    curve.forEach((v, t) => assert.ok(Math.abs(v - (a[t] + b[t]) / 2) <= 1e-6 * Math.abs(v), `step ${t}: ${v} vs ${(a[t] + b[t]) / 2}`));
    // The two components' curves differ, so the weights of the mixture did not enter.
    assert.notEqual(a[5], b[5]);
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
