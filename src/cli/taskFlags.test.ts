import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { familyFromFlags, DEFAULT_TASK_FLAGS, mixtureEntries } from './taskFlags.ts';
import type { MixtureFamily } from '../tasks/mixture.ts';

describe('task flags: --mixture', () => {
  it('reads ids with optional weights (1 when not given)', () => {
    assert.deepEqual(mixtureEntries('mnist, quadratic:2,rnn:0.5'), [
      { id: 'mnist', weight: 1 },
      { id: 'quadratic', weight: 2 },
      { id: 'rnn', weight: 0.5 },
    ]);
  });

  it('refuses unknown ids, weights that are not above 0 and extra colons', () => {
    assert.throws(() => mixtureEntries('mnist,cifar'), /'cifar' is not a task of the generalize grid/);
    for (const bad of ['quadratic:0', 'quadratic:-1', 'quadratic:x', 'quadratic:2:3', 'quadratic:']) {
      assert.throws(() => mixtureEntries(bad), /a weight is a number above 0 and at most 1000/, bad);
    }
  });

  it('gives the mixture its weights: quadratic:3 with one other task is drawn 3 times in 4', () => {
    const family = familyFromFlags({ ...DEFAULT_TASK_FLAGS, task: 'mixture', mixture: mixtureEntries('quadratic:3,quadratic-100') }, 'train', { mlp: null }) as MixtureFamily;
    assert.deepEqual(family.components.map((c) => [c.id, c.weight]), [['quadratic', 3], ['quadratic-100', 1]]);
  });
});
