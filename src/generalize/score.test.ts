import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { OptimizerResult, Results } from '../eval/compare.ts';
import { gridTable, scoreTask, summarizeGrid } from './score.ts';
import { heatmapSpec } from './heatmap.ts';

/** A result whose mean curve ends at `final`. */
function optimizer(name: string, learningRate: number | null, final: number, diverged = 0): OptimizerResult {
  const curve = [2.3, 1, final];
  return { name, learningRate, hyperparams: {}, meanLoss: curve, medianLoss: curve, q25Loss: curve, q75Loss: curve, diverged };
}

function results(optimizers: OptimizerResult[]): Results {
  return { task: 'mnist', taskConfig: {}, steps: 2, runs: 4, seed: 1, tuningSeed: 2, optimizers };
}

describe('generalization scores', () => {
  it('divides the learned final mean loss by the best baseline\'s', () => {
    const s = scoreTask('t', 'T', results([optimizer('lstm', null, 0.3), optimizer('sgd', 0.1, 0.6), optimizer('nag', 1, 0.4)]));
    assert.equal(s.best, 'nag');
    assert.equal(s.ratio, 0.3 / 0.4);
    assert.deepEqual(s.baselines.map((b) => b.ratio), [0.6 / 0.4, 1]);
  });

  it('counts wins, losses, the worst task and diverged runs', () => {
    const a = scoreTask('a', 'A', results([optimizer('lstm', null, 0.3), optimizer('adam', 0.01, 0.4)]));
    const b = scoreTask('b', 'B', results([optimizer('lstm', null, 0.5), optimizer('adam', 0.01, 0.4)]));
    const c = scoreTask('c', 'C', results([optimizer('lstm', null, Infinity, 2), optimizer('adam', 0.01, 0.4)]));
    assert.deepEqual(summarizeGrid([a, b]), { tasks: 2, wins: 1, losses: 1, worstRatio: 1.25, worstTask: 'b', divergedRuns: 0 });
    const all = summarizeGrid([a, b, c]);
    assert.equal(all.worstTask, 'c');
    assert.equal(all.divergedRuns, 2);
    assert.equal(all.losses, 2);
    const table = gridTable([a, c]);
    assert.match(table, /\| A \| 2 \| 0\.300 \| adam 0\.01: 0\.400 \| 0\.75× \| win \| 0 of 4 \|/);
    assert.match(table, /\| C \| 2 \| diverged \| adam 0\.01: 0\.400 \| diverged \| loss \| 2 of 4 \|/);
    assert.match(table, /Wins on 1 of 2 tasks; worst diverged \(c\); 2 diverged runs/);
  });

  it('refuses results without a learned optimizer or a baseline', () => {
    assert.throws(() => scoreTask('x', 'X', results([optimizer('adam', 0.01, 0.4)])), /task 'x': results need a learned optimizer/);
  });

  it('draws one cell per task and optimizer, diverged cells labelled', () => {
    const c = scoreTask('c', 'C', results([optimizer('lstm', null, Infinity, 1), optimizer('adam', 0.01, 0.4)]));
    const values = (heatmapSpec([c]) as { data: { values: { label: string; ratio: number }[] } }).data.values;
    assert.deepEqual(values.map((v) => v.label), ['div.', '1.00']);
  });
});
