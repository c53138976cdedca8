import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Rng } from '../random/rng.ts';
import { familyFromSpec, familySpec } from './familySpec.ts';
import { MixtureFamily } from './mixture.ts';
import { QuadraticFamily } from './quadratic.ts';

describe('mixture of task families', () => {
  const mixture = () =>
    new MixtureFamily([
      { id: 'small', family: new QuadraticFamily({ dims: 2, variant: 'paper' }), members: 3, weight: 1 },
      { id: 'large', family: new QuadraticFamily({ dims: 5, variant: 'paper' }), members: 7, weight: 3 },
    ]);

  it('picks components in proportion to their weights, each sample with its component\'s members', () => {
    const family = mixture();
    let large = 0;
    const draws = 4000;
    for (let i = 0; i < draws; i++) {
      const task = family.sample(new Rng(1).child(`draw${i}`), 99);
      if (task.members === 7) large++;
      else assert.equal(task.members, 3);
    }
    // Binomial(4000, 0.75): standard deviation 27.
    assert.ok(Math.abs(large - 3000) < 120, `large component picked ${large} times of ${draws}`);
  });

  it('is the same distribution after a round trip through its spec, and sizes itself by its largest component', () => {
    const family = mixture();
    const rebuilt = familyFromSpec(familySpec(family), null);
    const a = family.sample(new Rng(5), 1);
    const b = rebuilt.sample(new Rng(5), 1);
    assert.deepEqual(b.init(new Rng(6)), a.init(new Rng(6)));
    assert.deepEqual(b.lossAndGrad(a.init(new Rng(6)), 0), a.lossAndGrad(a.init(new Rng(6)), 0));
    assert.deepEqual(family.sizeOf(1), new QuadraticFamily({ dims: 5, variant: 'paper' }).sizeOf(7));
  });

  it('refuses an empty mixture and non-positive weights', () => {
    assert.throws(() => new MixtureFamily([]), /at least one component/);
    assert.throws(() => new MixtureFamily([{ id: 'a', family: new QuadraticFamily(), members: 1, weight: 0 }]), /weights must be positive/);
  });
});
