import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, it } from 'node:test';
import { defaultRuns, parseCompareFlags } from './compare.ts';

const run = promisify(execFile);
const repo = path.resolve(import.meta.dirname, '../../..');

describe('l2l compare', () => {
  it("--baselines none evaluates the learned optimizer alone, and --threads does not change a number", async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'l2l-compare-'));
    const results = async (threads: number) => {
      const out = path.join(tmp, `t${threads}`);
      const args = ['bin/l2l.js', 'compare', '--optimizer', 'pretrained/quadratic.json', '--baselines', 'none', '--runs', '30', '--steps', '10', '--threads', String(threads), '--out', out];
      await run('node', args, { cwd: repo });
      return JSON.parse(fs.readFileSync(path.join(out, 'results.json'), 'utf8'));
    };
    const one = await results(1);
    const two = await results(2);
    assert.deepEqual(one.optimizers.map((o: { name: string }) => o.name), ['lstm']);
    assert.equal(one.optimizers[0].meanLoss.length, 11);
    assert.deepEqual(two.optimizers, one.optimizers);
  });

  it('a learned optimizer with a base step is named for it in the results, and --runs defaults by task', async () => {
    assert.equal(parseCompareFlags(['--out', 'x']).runs, undefined);
    assert.equal(defaultRuns('quadratic'), 1000);
    assert.equal(defaultRuns('mnist'), 100);
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'l2l-compare-')), 'base');
    await run('node', ['bin/l2l.js', 'compare', '--task', 'mnist', '--optimizer', 'pretrained/mnist-rmsprop-base.json', '--baselines', 'none', '--runs', '1', '--steps', '2', '--threads', '1', '--out', out], { cwd: repo });
    const results = JSON.parse(fs.readFileSync(path.join(out, 'results.json'), 'utf8'));
    assert.deepEqual(results.optimizers.map((o: { name: string }) => o.name), ['lstm + rmsprop']);
    assert.match(fs.readFileSync(path.join(out, 'summary.md'), 'utf8'), /\| lstm \+ rmsprop \|/);
  });
});
