import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { Rng } from '../random/rng.ts';
import { assertClose, setupBackend } from '../testing/setup.ts';
import { QuadraticFamily } from './quadratic.ts';
import { scaledTask } from './scaled.ts';
import { autodiffLossAndGrad } from './task.ts';

describe('randomly scaled task', () => {
  before(setupBackend);

  it('starts where the task starts, and its gradient c ⊙ ∇f(c ⊙ x) equals autodiff of f(c ⊙ x)', () => {
    const task = new QuadraticFamily({ dims: 4, variant: 'paper' }).sample(new Rng(1), 3);
    const scaled = scaledTask(task, new Rng(2), 3);
    const x0 = scaled.init(new Rng(5));
    const theta0 = task.init(new Rng(5));
    assertClose(scaled.lossAndGrad(x0, 0).losses, task.lossAndGrad(theta0, 0).losses, { rtol: 1e-5, label: 'f(c ⊙ x0) = f(θ0)' });
    const { grad } = scaled.lossAndGrad(x0, 0);
    assertClose(grad, autodiffLossAndGrad(scaled, x0, 0).grad, { rtol: 1e-3, atol: 1e-4, label: 'gradient' });
    // The scales span e^±3: the gradient's entries are far from the unscaled ones.
    const ratios = Array.from(grad, (g, j) => Math.abs(g / task.lossAndGrad(theta0, 0).grad[j]));
    assert.ok(Math.max(...ratios) > 5 && Math.min(...ratios) < 0.2, `ratios ${Math.min(...ratios)}–${Math.max(...ratios)}`);
  });
});
