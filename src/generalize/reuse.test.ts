import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import type { OptimizerResult } from '../eval/compare.ts';
import { reusableBaselines, sameComparison } from './reuse.ts';

const ARGS = ['--task', 'mnist', '--activation', 'relu', '--optimizer', 'new.json', '--steps', '200', '--runs', '30', '--tuning-runs', '5', '--seed', '1000', '--threads', '2', '--out', 'runs/new/mnist-relu'];
const EARLIER = 'l2l compare --task mnist --activation relu --optimizer my files/old.json --steps 200 --runs 30 --tuning-runs 5 --seed 1000 --threads 4 --out runs/old grid/mnist-relu';

function optimizer(name: string, learningRate: number | null, final: number): OptimizerResult {
  const curve = [2.3, final];
  return { name, learningRate, hyperparams: {}, meanLoss: curve, medianLoss: curve, q25Loss: curve, q75Loss: curve, diverged: 0 };
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'l2l-reuse-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** A grid folder holding one task's results.json made by `command`. */
function gridDir(command: string, optimizers: OptimizerResult[]): string {
  const dir = fs.mkdtempSync(path.join(tmp, 'grid-'));
  fs.mkdirSync(path.join(dir, 'mnist-relu'));
  const results = { task: 'mnist', taskConfig: {}, steps: 1, runs: 30, seed: 1000, tuningSeed: 1001003, optimizers, command };
  fs.writeFileSync(path.join(dir, 'mnist-relu', 'results.json'), JSON.stringify(results));
  return dir;
}

describe('baselines of an earlier grid run', () => {
  it('matches a comparison up to the optimizer file, the output folder and the threads (paths with spaces too)', () => {
    assert.ok(sameComparison(ARGS, EARLIER));
    assert.ok(!sameComparison(ARGS, EARLIER.replace('--steps 200', '--steps 100')));
    assert.ok(!sameComparison(ARGS, EARLIER.replace('--seed 1000', '--seed 1001')));
    assert.ok(!sameComparison(ARGS, EARLIER.replace('--activation relu ', '')));
    assert.ok(!sameComparison(ARGS, `${EARLIER} --baselines adam`));
    assert.ok(!sameComparison(ARGS, EARLIER.replace('--tuning-runs 5', '--tuning-runs 50')));
  });

  it('returns the named tuned baselines in the order asked, not the learned optimizer', () => {
    const dir = gridDir(EARLIER, [optimizer('lstm', null, 0.2), optimizer('sgd', 0.3, 0.33), optimizer('adam', 0.03, 0.198)]);
    const found = reusableBaselines(dir, 'mnist-relu', ARGS, ['adam', 'sgd']);
    assert.equal(found.from, path.join(dir, 'mnist-relu', 'results.json'));
    assert.deepEqual(found.optimizers.map((o) => [o.name, o.learningRate, o.meanLoss[1]]), [['adam', 0.03, 0.198], ['sgd', 0.3, 0.33]]);
  });

  it('names the file and the fix when it is missing, unreadable, from another comparison or lacks a baseline', () => {
    const good = [optimizer('lstm', null, 0.2), optimizer('sgd', 0.3, 0.33)];
    const empty = fs.mkdtempSync(path.join(tmp, 'empty-'));
    assert.throws(() => reusableBaselines(empty, 'mnist-relu', ARGS, ['sgd']), /--baselines-from: '.*mnist-relu\/results.json' is missing: give the --out folder of an earlier l2l generalize run/);
    const broken = gridDir(EARLIER, good);
    fs.writeFileSync(path.join(broken, 'mnist-relu', 'results.json'), '{"task": "mnist", "ste');
    assert.throws(() => reusableBaselines(broken, 'mnist-relu', ARGS, ['sgd']), /is not a results file/);
    const other = gridDir(EARLIER.replace('--steps 200', '--steps 100'), good);
    assert.throws(() => reusableBaselines(other, 'mnist-relu', ARGS, ['sgd']), /comes from another comparison \('l2l compare .*--steps 100 .*'\): use a run of the same grid/);
    assert.throws(() => reusableBaselines(gridDir(EARLIER, good), 'mnist-relu', ARGS, ['sgd', 'adam']), /has no tuned 'adam' baseline/);
    // The learned optimizer (no learning rate) never stands in for a baseline of its name.
    assert.throws(() => reusableBaselines(gridDir(EARLIER, good), 'mnist-relu', ARGS, ['lstm']), /has no tuned 'lstm' baseline/);
  });
});
