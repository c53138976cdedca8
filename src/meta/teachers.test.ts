import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { DEFAULT_LR_GRID, tuneLearningRate } from '../eval/tune.ts';
import { PAPER_LSTM } from '../learned/lstmConfig.ts';
import { HAND_DESIGNED } from '../optimizers/registry.ts';
import { Rng } from '../random/rng.ts';
import { MixtureFamily } from '../tasks/mixture.ts';
import { QuadraticFamily } from '../tasks/quadratic.ts';
import { makeTestEngine } from '../testing/engines.ts';
import { setupBackend } from '../testing/setup.ts';
import { groupTeacher, startGroup } from './groups.ts';
import { TEACHER_CANDIDATES, tuneTeachers } from './teachers.ts';

describe('tuned teachers', () => {
  before(setupBackend);

  it("picks the candidate whose best rate on the grid ends lowest, as compare's tuning finds it", () => {
    const family = new QuadraticFamily();
    const { '': teacher } = tuneTeachers(family, 20, 7, 16);
    const seed = new Rng(7).child('teacher-').int(2 ** 31);
    const each = TEACHER_CANDIDATES.map((name) => {
      const t = tuneLearningRate(family, HAND_DESIGNED[name], { grid: DEFAULT_LR_GRID, steps: 20, members: 16, seed });
      return { name, rate: t.best, loss: Math.min(...t.finalLoss) };
    });
    const best = each.reduce((a, b) => (b.loss < a.loss ? b : a));
    assert.deepEqual(teacher, { optimizer: best.name, learningRate: best.rate, finalLoss: best.loss });
  });

  it('gives each sample of a mixture the teacher of the component it was drawn from', () => {
    const engine = makeTestEngine('tfjs');
    const mixture = new MixtureFamily([
      { id: 'a', family: new QuadraticFamily({ dims: 2, variant: 'paper' }), members: 1, weight: 1 },
      { id: 'b', family: new QuadraticFamily({ dims: 3, variant: 'paper' }), members: 1, weight: 1 },
    ]);
    const teachers = { a: { optimizer: 'sgd', learningRate: 0.1 }, b: { optimizer: 'sgd', learningRate: 0.5 } };
    const settings = { seed: 1, lstm: PAPER_LSTM, membersPerTask: 1, metaObjective: 'loss' as const, imitation: { teacher: { optimizer: 'sgd', learningRate: 9 }, fraction: 1, teachers } };
    const seen = new Set<string>();
    for (let iteration = 0; iteration < 12; iteration++) {
      const { task, state } = startGroup(engine, mixture, settings, iteration, 0);
      const component = task.paramShapes[0][1] === 2 ? 'a' : 'b';
      seen.add(component);
      // SGD's update of a unit gradient is −rate.
      const update = state.teacher!.optimizer.update(new Float32Array([1]), state.teacher!.optimizer.init(1));
      assert.equal(update[0], Math.fround(-teachers[component].learningRate), `iteration ${iteration} (${component})`);
      // The teacher a worker reloads a group's saved state with is that same component's.
      assert.deepEqual(groupTeacher(mixture, settings, iteration, 0), teachers[component]);
      const second = startGroup(engine, mixture, settings, iteration, 1);
      assert.deepEqual(groupTeacher(mixture, settings, iteration, 1), teachers[second.task.paramShapes[0][1] === 2 ? 'a' : 'b']);
    }
    assert.equal(groupTeacher(mixture, { ...settings, imitation: { ...settings.imitation, fraction: 1e-9 } }, 0, 0), null);
    assert.deepEqual([...seen].sort(), ['a', 'b']);
  });
});
