import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { selectEngine } from '../engine/select.ts';
import { initMetaParams, PAPER_LSTM } from '../learned/lstmConfig.ts';
import { nag } from '../optimizers/momentum.ts';
import { Rng } from '../random/rng.ts';
import { QuadraticFamily } from '../tasks/quadratic.ts';
import { meanCurve, unroll } from '../unroll/unroll.ts';
import { assertClose, setupBackend } from '../testing/setup.ts';
import { isImitationIteration, metaIteration, type IterationSettings } from './metaIteration.ts';
import { metaOptimizer } from './metaOptimizer.ts';

const settings: IterationSettings = {
  seed: 9, lstm: PAPER_LSTM, membersPerTask: 16, unrollLength: 5, metaObjective: 'loss', clipGradNorm: 0,
  imitation: { teacher: { optimizer: 'nag', learningRate: 0.01 }, fraction: 0.3 },
};

describe('meta-iteration', () => {
  before(setupBackend);

  it('imitates on about the given fraction of iterations, drawn from the seed', () => {
    const imitating = Array.from({ length: 1000 }, (_, i) => isImitationIteration(settings, i)).filter(Boolean).length;
    assert.ok(imitating > 250 && imitating < 350, `${imitating} of 1000`);
    assert.equal(isImitationIteration({ ...settings, imitation: undefined }, 0), false);
  });

  it('an imitation iteration moves θ along the teacher: its losses are the teacher\'s own unroll on the same task', async () => {
    const iteration = Array.from({ length: 50 }, (_, i) => i).find((i) => isImitationIteration(settings, i))!;
    const family = new QuadraticFamily({ dims: 3, variant: 'paper' });
    const phi = initMetaParams(PAPER_LSTM, new Rng(1));
    const run = { phi: phi.slice(), metaState: metaOptimizer(0).init(phi.length) };
    const outcome = await metaIteration(selectEngine(), family, settings, run, iteration, 20, 1e-3);
    assert.ok(outcome.imitationLoss! > 0);
    const iterRng = new Rng(settings.seed).child(`iteration${iteration}`);
    const task = family.sample(iterRng.child('task'), settings.membersPerTask);
    const teacher = meanCurve(unroll(task, nag(0.01), task.init(iterRng.child('init')), 20));
    assertClose(outcome.losses, teacher.slice(1), { rtol: 1e-6, label: 'losses along the teacher' });
    assert.notDeepEqual(run.phi, phi, 'φ was updated (4 truncations)');
  });
});
