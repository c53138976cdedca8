import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertClose } from '../testing/setup.ts';
import { metaObjectiveGrad, metaObjectiveValue } from './task.ts';

describe('meta-objective terms', () => {
  // Two members, one coordinate each (the first dimension indexes the member): losses 1 and 4,
  // objective gradients 2 and 8.
  const task = { paramShapes: [[2, 1]] };
  const evaluated = { losses: Float32Array.from([1, 4]), grad: Float32Array.from([2, 8]) };

  it("'loss': the mean loss, the objective gradient unchanged", () => {
    assertClose([metaObjectiveValue('loss', evaluated.losses)], [2.5], { rtol: 1e-7 });
    assert.deepEqual([...metaObjectiveGrad('loss', task, evaluated)], [2, 8]);
  });

  it("'log': the mean of log 1 and log 4, each member's gradient divided by its own loss", () => {
    assertClose([metaObjectiveValue('log', evaluated.losses)], [Math.log(4) / 2], { rtol: 1e-7 });
    assertClose(metaObjectiveGrad('log', task, evaluated), [2, 2], { rtol: 1e-7 });
  });

  it("'log-mean': log 2.5, every gradient divided by the mean loss 2.5", () => {
    assertClose([metaObjectiveValue('log-mean', evaluated.losses)], [Math.log(2.5)], { rtol: 1e-7 });
    assertClose(metaObjectiveGrad('log-mean', task, evaluated), [0.8, 3.2], { rtol: 1e-6 });
    assert.deepEqual([...evaluated.grad], [2, 8], 'the evaluated gradient is not changed');
  });
});
