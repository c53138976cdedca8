import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, it } from 'node:test';
import { withoutKernelNote } from '../testing/kernelNote.ts';

const run = promisify(execFile);
const repo = path.resolve(import.meta.dirname, '../..');
const small = ['--members', '8', '--validation-members', '8', '--validate-every', '2', '--horizon', '20', '--unroll', '10', '--seed', '3'];

/** The JSON lines of DIR/log.jsonl. */
function logOf(dir: string): Array<Record<string, any>> {
  return fs.readFileSync(path.join(dir, 'log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
}

describe('train --warm-start', () => {
  it('starts from the file’s φ and LSTM settings: its first validation equals the saved optimizer’s', async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'l2l-warm-'));
    const first = path.join(tmp, 'first');
    const second = path.join(tmp, 'second');
    await run('node', ['bin/l2l.js', 'train', '--out', first, '--iterations', '4', '--output-scale', '0.2', ...small], { cwd: repo });
    const saved = JSON.parse(fs.readFileSync(path.join(first, 'optimizer.json'), 'utf8'));
    const savedValidation = logOf(first).find((e) => e.type === 'validation' && e.iteration === saved.provenance.bestIteration)!;
    assert.ok(saved.provenance.bestIteration > 0, 'the first run improved on its random start');

    const { stderr } = await run('node', ['bin/l2l.js', 'train', '--out', second, '--iterations', '2', '--warm-start', path.join(first, 'optimizer.json'), ...small], { cwd: repo });
    assert.match(stderr, /from .*optimizer\.json: output scale 0\.2, base none/);
    const log = logOf(second);
    assert.equal(log[0].lstm.outputScale, 0.2);
    assert.equal(log[0].warmStart.file, path.join(first, 'optimizer.json'));
    // Same seed, so the same validation problems: the warm start is the saved φ exactly.
    const start = log.find((e) => e.type === 'validation' && e.iteration === 0)!;
    assert.equal(start.validationLoss, savedValidation.validationLoss);
    assert.equal(start.validationFinalLoss, savedValidation.validationFinalLoss);
    const provenance = JSON.parse(fs.readFileSync(path.join(second, 'optimizer.json'), 'utf8')).provenance;
    assert.equal(provenance.trainingConfig.warmStart.file, path.join(first, 'optimizer.json'));
  });

  it('--base NAME:LR adds a hand-designed step: recorded in the log and the optimizer file, carried by a warm start or replaced', async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'l2l-base-'));
    const first = path.join(tmp, 'first');
    await run('node', ['bin/l2l.js', 'train', '--out', first, '--iterations', '2', '--base', 'nag:0.05', ...small], { cwd: repo });
    const saved = JSON.parse(fs.readFileSync(path.join(first, 'optimizer.json'), 'utf8'));
    assert.deepEqual(saved.config.base, { optimizer: 'nag', learningRate: 0.05 });
    assert.deepEqual(logOf(first)[0].lstm.base, { optimizer: 'nag', learningRate: 0.05 });
    const second = path.join(tmp, 'second');
    const { stderr } = await run('node', ['bin/l2l.js', 'train', '--out', second, '--iterations', '1', '--warm-start', path.join(first, 'optimizer.json'), ...small], { cwd: repo });
    assert.match(stderr, /from .*optimizer\.json: output scale 0\.1, base nag:0\.05/);
    assert.deepEqual(logOf(second)[0].lstm.base, { optimizer: 'nag', learningRate: 0.05 });
    // Given flags replace the file's: a trained LSTM, scaled, on top of another base step.
    const third = path.join(tmp, 'third');
    await run('node', ['bin/l2l.js', 'train', '--out', third, '--iterations', '1', '--warm-start', path.join(first, 'optimizer.json'), '--output-scale', '0.05', '--base', 'sgd:0.2', ...small], { cwd: repo });
    assert.deepEqual(logOf(third)[0].lstm.base, { optimizer: 'sgd', learningRate: 0.2 });
    assert.equal(logOf(third)[0].lstm.outputScale, 0.05);
  });

  it('--lstm-hidden sets the LSTM optimizer\'s layers: the file holds them, and a warm start with other layers is refused in one line', async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'l2l-lstm-hidden-'));
    const first = path.join(tmp, 'first');
    await run('node', ['bin/l2l.js', 'train', '--out', first, '--iterations', '1', '--lstm-hidden', '8,4', ...small], { cwd: repo });
    const saved = JSON.parse(fs.readFileSync(path.join(first, 'optimizer.json'), 'utf8'));
    assert.deepEqual(saved.config.hidden, [8, 4]);
    // Per layer, four gates of (inputs + units) × units weights and units biases; then the head.
    const values = Object.values(saved.weights as Record<string, { values: number[] }>).reduce((n, w) => n + w.values.length, 0);
    assert.equal(values, 4 * ((2 + 8) * 8 + 8) + 4 * ((8 + 4) * 4 + 4) + (4 + 1));
    assert.deepEqual(saved.weights['lstm1.f.wx'].shape, [8, 4]);
    // A warm start continues the file's layers; other layers would not fit its φ.
    const second = path.join(tmp, 'second');
    await run('node', ['bin/l2l.js', 'train', '--out', second, '--iterations', '1', '--warm-start', path.join(first, 'optimizer.json'), ...small], { cwd: repo });
    assert.deepEqual(JSON.parse(fs.readFileSync(path.join(second, 'optimizer.json'), 'utf8')).config.hidden, [8, 4]);
    await assert.rejects(run('node', ['bin/l2l.js', 'train', '--out', path.join(tmp, 'third'), '--iterations', '1', '--warm-start', path.join(first, 'optimizer.json'), '--lstm-hidden', '20,20', ...small], { cwd: repo }), (e: { stderr: string; code: number }) => {
      assert.equal(e.code, 2);
      assert.match(withoutKernelNote(e.stderr), /^l2l: --lstm-hidden 20,20 differs from .*optimizer\.json's LSTM \(8,4\): leave --lstm-hidden out to continue the file's$/m);
      return true;
    });
  });

  it('--magnitude gives the head a magnitude output: the file holds λ and two head outputs, and a warm start with another λ is refused in one line', async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'l2l-magnitude-'));
    const first = path.join(tmp, 'first');
    await run('node', ['bin/l2l.js', 'train', '--out', first, '--iterations', '1', '--lstm-hidden', '8,4', '--magnitude', '0.5', ...small], { cwd: repo });
    const saved = JSON.parse(fs.readFileSync(path.join(first, 'optimizer.json'), 'utf8'));
    assert.equal(saved.config.magnitude, 0.5);
    assert.deepEqual(saved.weights['head.w'].shape, [4, 2]);
    assert.deepEqual(saved.weights['head.b'].shape, [2]);
    await assert.rejects(run('node', ['bin/l2l.js', 'train', '--out', path.join(tmp, 'second'), '--iterations', '1', '--warm-start', path.join(first, 'optimizer.json'), '--magnitude', '0', ...small], { cwd: repo }), (e: { stderr: string; code: number }) => {
      assert.equal(e.code, 2);
      assert.match(withoutKernelNote(e.stderr), /^l2l: --magnitude 0 differs from .*optimizer\.json's head \(magnitude 0\.5\): leave --magnitude out to continue the file's$/m);
      return true;
    });
  });

  it('--param-input makes the LSTM read log|θ|: a version-3 file with one more input, continued by a warm start, and refused on top of a file without it', async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'l2l-param-input-'));
    const first = path.join(tmp, 'first');
    await run('node', ['bin/l2l.js', 'train', '--out', first, '--iterations', '1', '--lstm-hidden', '8,4', '--param-input', ...small], { cwd: repo });
    const saved = JSON.parse(fs.readFileSync(path.join(first, 'optimizer.json'), 'utf8'));
    assert.equal(saved.version, 3);
    assert.equal(saved.config.paramInput, true);
    assert.deepEqual(saved.weights['lstm0.i.wx'].shape, [3, 8]);
    const second = path.join(tmp, 'second');
    await run('node', ['bin/l2l.js', 'train', '--out', second, '--iterations', '1', '--warm-start', path.join(first, 'optimizer.json'), ...small], { cwd: repo });
    assert.equal(JSON.parse(fs.readFileSync(path.join(second, 'optimizer.json'), 'utf8')).config.paramInput, true);
    const plain = path.join(tmp, 'plain');
    await run('node', ['bin/l2l.js', 'train', '--out', plain, '--iterations', '1', '--lstm-hidden', '8,4', ...small], { cwd: repo });
    await assert.rejects(run('node', ['bin/l2l.js', 'train', '--out', path.join(tmp, 'third'), '--iterations', '1', '--warm-start', path.join(plain, 'optimizer.json'), '--param-input', ...small], { cwd: repo }), (e: { stderr: string; code: number }) => {
      assert.equal(e.code, 2);
      assert.match(withoutKernelNote(e.stderr), /^l2l: --param-input adds inputs .*optimizer\.json's LSTM does not read: leave --param-input out to continue the file's, or train without --warm-start$/m);
      return true;
    });
  });

  it('--reset-head zeroes the warm start\'s output layer: on top of a base step it starts as exactly that step; refused without --warm-start', async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'l2l-reset-head-'));
    const first = path.join(tmp, 'first');
    await run('node', ['bin/l2l.js', 'train', '--out', first, '--iterations', '2', ...small], { cwd: repo });
    const file = path.join(first, 'optimizer.json');
    const startOf = (dir: string) => logOf(dir).find((e) => e.type === 'validation' && e.iteration === 0)!;
    // A fresh φ with a base step has a zero head and β = 0: the optimizer is SGD at 0.1 itself.
    const fresh = path.join(tmp, 'fresh');
    await run('node', ['bin/l2l.js', 'train', '--out', fresh, '--iterations', '1', '--base', 'sgd:0.1', '--learn-base-rate', ...small], { cwd: repo });
    const reset = path.join(tmp, 'reset');
    // ES on the head alone: whichever iteration is kept, the LSTM layers must still be the file's.
    await run('node', ['bin/l2l.js', 'train', '--out', reset, '--iterations', '1', '--warm-start', file, '--reset-head', '--base', 'sgd:0.1', '--learn-base-rate', '--es-pairs', '1', '--es-params', 'head', ...small], { cwd: repo });
    const kept = path.join(tmp, 'kept');
    await run('node', ['bin/l2l.js', 'train', '--out', kept, '--iterations', '1', '--warm-start', file, '--base', 'sgd:0.1', '--learn-base-rate', ...small], { cwd: repo });
    assert.equal(startOf(reset).validationLoss, startOf(fresh).validationLoss);
    assert.equal(startOf(reset).validationFinalLoss, startOf(fresh).validationFinalLoss);
    assert.notEqual(startOf(kept).validationLoss, startOf(fresh).validationLoss, "without --reset-head the file's head adds the LSTM's output");
    assert.equal(logOf(reset)[0].warmStart.resetHead, true);
    const before = JSON.parse(fs.readFileSync(file, 'utf8')).weights;
    assert.ok(before['head.w'].values.some((v: number) => v !== 0), 'the file has a trained head to reset');
    const after = JSON.parse(fs.readFileSync(path.join(reset, 'optimizer.json'), 'utf8'));
    assert.equal(after.provenance.trainingConfig.warmStart.resetHead, true);
    for (const name of Object.keys(before).filter((n) => n.startsWith('lstm'))) assert.deepEqual(after.weights[name].values, before[name].values, name);
    await assert.rejects(run('node', ['bin/l2l.js', 'train', '--out', path.join(tmp, 'x'), '--reset-head', ...small], { cwd: repo }), (e: { stderr: string; code: number }) => {
      assert.equal(e.code, 2);
      assert.match(withoutKernelNote(e.stderr).trim(), /^l2l: --reset-head zeroes the output layer of a warm start: add --warm-start FILE$/);
      return true;
    });
  });

  it('names a missing warm-start file in one line', async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'l2l-warm-'));
    await assert.rejects(run('node', ['bin/l2l.js', 'train', '--out', path.join(tmp, 'x'), '--warm-start', path.join(tmp, 'none.json'), ...small], { cwd: repo }), (e: { stderr: string; code: number }) => {
      assert.equal(e.code, 2);
      const stderr = withoutKernelNote(e.stderr).trim();
      assert.match(stderr, /^l2l: cannot read optimizer file '.*none\.json': check the path/);
      assert.equal(stderr.split('\n').length, 1);
      return true;
    });
    assert.equal(fs.existsSync(path.join(tmp, 'x')), false, 'no output directory for a run that never started');
  });
});
