import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';

const repo = path.resolve(import.meta.dirname, '..');

describe('the npm package', () => {
  it('packs, installs into a separate project, imports its typed API, finds its shipped optimizers and runs its CLI from dist/', () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'l2l-pack-'));
    const packed = execFileSync('npm', ['pack', '--silent', '--pack-destination', tmp], { cwd: repo, encoding: 'utf8' }).trim().split('\n').pop()!;
    const project = path.join(tmp, 'project');
    fs.mkdirSync(project);
    fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', type: 'module' }));
    // The dependencies' tarballs are in npm's cache after the repository's own install; their registry
    // metadata may not be (npm ci reads only the lockfile), so npm may ask the registry for it.
    execFileSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', path.join(tmp, packed)], { cwd: project, stdio: 'pipe' });
    const installed = path.join(project, 'node_modules', 'l2l-ts');
    assert.ok(fs.existsSync(path.join(installed, 'dist', 'index.d.ts')), 'type declarations are shipped');
    fs.writeFileSync(
      path.join(project, 'use.mjs'),
      `import { initBackend, Rng, QuadraticFamily, adam, unroll, meanCurve, L2LOptimizer, loadLearnedOptimizer, pretrainedOptimizerPath } from 'l2l-ts';
await initBackend();
const task = new QuadraticFamily().sample(new Rng(1), 8);
const curve = meanCurve(unroll(task, adam(0.1), task.init(new Rng(2)), 20));
const shipped = pretrainedOptimizerPath('mnist');
const optimizer = await loadLearnedOptimizer(shipped);
console.log(JSON.stringify({ first: curve[0], last: curve[20], adapter: optimizer instanceof L2LOptimizer, shipped }));
`,
    );
    const out = JSON.parse(execFileSync('node', ['use.mjs'], { cwd: project, encoding: 'utf8' }).trim());
    assert.equal(out.adapter, true);
    assert.equal(out.shipped, path.join(fs.realpathSync(installed), 'pretrained', 'mnist.json'));
    assert.ok(out.last < out.first, `Adam should reduce the loss: ${out.first} → ${out.last}`);

    // The installed CLI runs the compiled JavaScript: tsx (a development dependency) is not installed.
    assert.ok(!fs.existsSync(path.join(project, 'node_modules', 'tsx')), 'tsx is not a runtime dependency');
    const l2l = path.join(project, 'node_modules', '.bin', 'l2l');
    assert.match(execFileSync(l2l, ['--help'], { cwd: project, encoding: 'utf8' }), /Usage: l2l/);
    // A small comparison of a shipped optimizer, its evaluation shared with a worker thread started from dist/.
    execFileSync(l2l, ['compare', '--task', 'quadratic', '--optimizer', out.shipped.replace('mnist.json', 'quadratic.json'), '--baselines', 'adam', '--steps', '5', '--runs', '4', '--tuning-runs', '2', '--threads', '2', '--out', 'cmp'], { cwd: project, stdio: 'pipe' });
    const results = JSON.parse(fs.readFileSync(path.join(project, 'cmp', 'results.json'), 'utf8'));
    assert.deepEqual(results.optimizers.map((o: { name: string }) => o.name), ['lstm', 'adam']);
  });
});
