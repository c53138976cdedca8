import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { Rng } from '../random/rng.ts';
import { assertClose, setupBackend } from '../testing/setup.ts';
import { initMetaParams, PAPER_LSTM } from './lstmConfig.ts';
import { learnedOptimizer } from './learnedOptimizer.ts';
import { tfjsEngine } from '../engine/tfjs/tfjsEngine.ts';
import { fromOptimizerFile, OptimizerFileError, toOptimizerFile, type Provenance } from './optimizerFile.ts';

const provenance: Provenance = {
  command: 'l2l train --task quadratic', seed: 3, task: 'quadratic', taskConfig: { dims: 10 }, iterations: 5,
  bestIteration: 5, validationLoss: 1.5, trainingConfig: {}, createdAt: '2026-01-01T00:00:00.000Z', packageVersion: '0.1.0',
};

describe('optimizer file', () => {
  before(setupBackend);

  it('round-trips through JSON and gives identical updates', () => {
    const phi = initMetaParams(PAPER_LSTM, new Rng(1));
    const loaded = fromOptimizerFile(JSON.parse(JSON.stringify(toOptimizerFile(PAPER_LSTM, phi, provenance))));
    assert.deepEqual(loaded.config, PAPER_LSTM);
    assert.equal(loaded.provenance.seed, 3);
    assert.deepEqual(loaded.phi, phi);
    const run = (p: Float32Array) => {
      const opt = learnedOptimizer(PAPER_LSTM, p, tfjsEngine());
      return opt.update(Float32Array.of(1, -0.01, 1e-6), opt.init(3));
    };
    assertClose(run(loaded.phi), run(phi), { rtol: 0, atol: 0 });
  });

  it("keeps 'both' inputs: four input features, so Wx of the first layer has 4 rows", () => {
    const config = { ...PAPER_LSTM, inputs: 'both' as const };
    const file = toOptimizerFile(config, initMetaParams(config, new Rng(1)), provenance);
    assert.deepEqual(file.weights['lstm0.i.wx'].shape, [4, 20]);
    assert.deepEqual(fromOptimizerFile(JSON.parse(JSON.stringify(file))).config, config);
  });

  it('keeps a base step in the config', () => {
    const config = { ...PAPER_LSTM, base: { optimizer: 'nag', learningRate: 0.5 } };
    const loaded = fromOptimizerFile(JSON.parse(JSON.stringify(toOptimizerFile(config, initMetaParams(config, new Rng(1)), provenance))));
    assert.deepEqual(loaded.config, config);
  });

  it('keeps a magnitude output: the head has two outputs, a direction and a magnitude', () => {
    const config = { ...PAPER_LSTM, magnitude: 0.5 };
    const file = toOptimizerFile(config, initMetaParams(config, new Rng(1)), provenance);
    assert.deepEqual(file.weights['head.w'].shape, [20, 2]);
    assert.deepEqual(fromOptimizerFile(JSON.parse(JSON.stringify(file))).config, config);
  });

  it("keeps 'adam-log' inputs in a version-4 file: four input features", () => {
    const config = { ...PAPER_LSTM, inputs: 'adam-log' as const };
    const file = JSON.parse(JSON.stringify(toOptimizerFile(config, initMetaParams(config, new Rng(1)), provenance)));
    assert.equal(file.version, 4);
    assert.deepEqual(file.weights['lstm0.i.wx'].shape, [4, 20]);
    assert.deepEqual(fromOptimizerFile(file).config, config);
  });

  it('keeps parameter inputs in a version-3 file: one more input feature, and the loaded optimizer reads θ', () => {
    const config = { ...PAPER_LSTM, inputs: 'adam' as const, paramInput: true };
    const phi = initMetaParams(config, new Rng(1));
    const file = JSON.parse(JSON.stringify(toOptimizerFile(config, phi, provenance)));
    assert.equal(file.version, 3);
    assert.deepEqual(file.weights['lstm0.i.wx'].shape, [3, 20]);
    const loaded = fromOptimizerFile(file);
    assert.deepEqual(loaded.config, config);
    const opt = learnedOptimizer(loaded.config, loaded.phi, tfjsEngine());
    assert.equal(opt.readsParams, true);
    const grads = Float32Array.of(1, -0.01, 1e-6);
    const at = (theta: Float32Array) => opt.update(grads, opt.init(3), theta);
    const near = at(Float32Array.of(0.01, 0.01, 0.01));
    const far = at(Float32Array.of(1, 1, 1));
    assert.ok(near.some((u, j) => Math.abs(u - far[j]) > 1e-4), 'θ changes the update');
    assert.throws(() => at(undefined as unknown as Float32Array), /reads the parameters θ \(paramInput\): pass their values/);
    // Files without parameter inputs keep the lowest version that holds them.
    assert.equal(toOptimizerFile(PAPER_LSTM, initMetaParams(PAPER_LSTM, new Rng(1)), provenance).version, 1);
    assert.equal(learnedOptimizer(PAPER_LSTM, initMetaParams(PAPER_LSTM, new Rng(1)), tfjsEngine()).readsParams, false);
  });

  const good = () => JSON.parse(JSON.stringify(toOptimizerFile(PAPER_LSTM, initMetaParams(PAPER_LSTM, new Rng(1)), provenance)));
  const cases: Array<[string, (doc: any) => unknown, RegExp]> = [
    ['not an object', () => 42, /not a learned-optimizer file/],
    ['wrong format', (d) => ({ ...d, format: 'other' }), /not a learned-optimizer file/],
    ['wrong version', (d) => ({ ...d, version: 99 }), /unsupported optimizer file version 99/],
    ['bad config', (d) => ({ ...d, config: { ...d.config, hidden: [] } }), /invalid config.hidden/],
    ['unknown inputs', (d) => ({ ...d, config: { ...d.config, inputs: 'hessian' } }), /invalid config.inputs \(one of gradient, adam, both, adam-log\)/],
    ["'both' inputs without p", (d) => ({ ...d, config: { ...d.config, inputs: 'both', preprocessP: null } }), /invalid config.preprocessP \('both' inputs need a number\)/],
    ["'adam-log' inputs without p", (d) => ({ ...d, version: 4, config: { ...d.config, inputs: 'adam-log', preprocessP: null } }), /invalid config.preprocessP \('adam-log' inputs need a number\)/],
    ["'adam-log' inputs in a version-3 file", (d) => ({ ...d, version: 3, config: { ...d.config, inputs: 'adam-log' } }), /invalid config.inputs \('adam-log' in version-4 files\)/],
    ['a version that is not a whole number', (d) => ({ ...d, version: 3.5 }), /unsupported optimizer file version 3.5: this version of l2l reads versions 1 to 4/],
    ['unknown base optimizer', (d) => ({ ...d, config: { ...d.config, base: { optimizer: 'lion', learningRate: 1 } } }), /invalid config.base.optimizer \(one of sgd, momentum, nag/],
    ['bad base learning rate', (d) => ({ ...d, config: { ...d.config, base: { optimizer: 'nag', learningRate: -1 } } }), /invalid config.base.learningRate/],
    ['a negative magnitude', (d) => ({ ...d, config: { ...d.config, magnitude: -1 } }), /invalid config.magnitude \(a number from 0 to 100\)/],
    ['parameter inputs in a version-1 file', (d) => ({ ...d, config: { ...d.config, paramInput: true } }), /invalid config.paramInput \(a boolean, in version-3 files\)/],
    ['a non-boolean paramInput', (d) => ({ ...d, version: 3, config: { ...d.config, paramInput: 1 } }), /invalid config.paramInput \(a boolean, in version-3 files\)/],
    ['parameter inputs without their weights', (d) => ({ ...d, version: 3, config: { ...d.config, paramInput: true } }), /shape \[2,20\], expected \[3,20\]/],
    ['a magnitude output without its weights', (d) => ({ ...d, config: { ...d.config, magnitude: 1 } }), /shape \[20,1\], expected \[20,2\]/],
    ['missing weight', (d) => { delete d.weights['head.w']; return d; }, /missing weight 'head.w'/],
    ['wrong shape', (d) => { d.weights['head.w'].shape = [3, 1]; return d; }, /shape \[3,1\], expected \[20,1\]/],
    ['too few values', (d) => { d.weights['head.b'].values = []; return d; }, /must have 1 values/],
    ['non-finite value', (d) => { d.weights['head.b'].values = ['NaN']; return d; }, /non-finite or non-numeric/],
  ];
  for (const [name, corrupt, message] of cases) {
    it(`rejects a file with ${name}`, () => {
      assert.throws(() => fromOptimizerFile(corrupt(good())), (e: Error) => e instanceof OptimizerFileError && message.test(e.message));
    });
  }
});

describe('shipped pretrained optimizers', () => {
  const dir = path.resolve(import.meta.dirname, '../../pretrained');
  for (const name of fs.readdirSync(dir).filter((f) => f.endsWith('.json'))) {
    it(`${name} is a valid optimizer file whose provenance names the train command that made it`, () => {
      const { config, provenance } = fromOptimizerFile(JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8')));
      assert.deepEqual(config.hidden, [20, 20]);
      assert.match(provenance.command, /^l2l train --task (quadratic|mnist|mixture)\b/);
      // The general files are trained on a mixture of task families, the others on the task they are named for.
      const task = name.startsWith('general') ? 'mixture' : name.split(/[-.]/)[0];
      assert.equal(provenance.task, task, `${name} was trained on ${provenance.task}`);
      assert.ok(Number.isFinite(provenance.validationLoss));
    });
  }
});
