import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, it } from 'node:test';
import { initMetaParams, PAPER_LSTM } from '../learned/lstmConfig.ts';
import { toOptimizerFile } from '../learned/optimizerFile.ts';
import { Rng } from '../random/rng.ts';
import { setupBackend } from '../testing/setup.ts';
import { NATIVE_SKIP } from '../testing/engines.ts';
import { parseResults, parseResultsIndex } from '../report/resultsFile.ts';
import { main } from './main.ts';
import { pretrainedOptimizerPath } from '../io/pretrained.ts';

const run = promisify(execFile);
const repo = path.resolve(import.meta.dirname, '../..');

/** Runs the CLI in-process and captures what it writes to stderr. */
async function cli(args: string[]): Promise<{ code: number; stderr: string }> {
  const original = process.stderr.write.bind(process.stderr);
  let stderr = '';
  process.stderr.write = ((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  }) as typeof process.stderr.write;
  try {
    return { code: await main(args), stderr };
  } finally {
    process.stderr.write = original;
  }
}

describe('CLI: every bad input gets one line, exit code 2 and no output', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'l2l-cli-'));
  const out = path.join(tmp, 'out');
  const notJson = path.join(tmp, 'not-json.json');
  fs.writeFileSync(notJson, '{"format": "l2l-lstm-opt');
  const aFile = path.join(tmp, 'plain-file');
  fs.writeFileSync(aFile, 'x');
  const oldVersion = path.join(tmp, 'old.json');
  const wrongShape = path.join(tmp, 'wrong-shape.json');
  const nonFinite = path.join(tmp, 'non-finite.json');

  const cases: Array<[string, string[], RegExp]> = [
    ['unknown command', ['frobnicate'], /unknown command 'frobnicate'/],
    ['unknown flag', ['train', '--out', out, '--bogus'], /unknown option '--bogus'/],
    ['non-numeric value', ['train', '--out', out, '--iterations', 'abc'], /--iterations .*expected an integer from 1/],
    ['out-of-range value', ['train', '--out', out, '--iterations', '0'], /expected an integer from 1/],
    ['negative runs', ['compare', '--out', out, '--runs', '-5'], /--runs .*expected an integer/],
    ['bad learning rate', ['train', '--out', out, '--meta-lr', '-1'], /--meta-lr .*greater than 0/],
    ['too many threads', ['train', '--out', out, '--threads', '64'], /--threads .*expected an integer from 1 to 16/],
    ['unknown base optimizer', ['train', '--out', out, '--base', 'lion:1'], /--base .*NAME:LEARNING_RATE with NAME one of sgd, momentum, nag/],
    ['base without a learning rate', ['train', '--out', out, '--base', 'nag'], /--base .*e\.g\. nag:1\), got 'nag'/],
    ['a learned base rate without a base step', ['train', '--out', out, '--learn-base-rate'], /--learn-base-rate learns the rate of a base step: add --base NAME:RATE/],
    ['an imitation fraction without a teacher', ['train', '--out', out, '--imitation-fraction', '0.5'], /--imitation-fraction needs a teacher to imitate: add --imitate NAME:RATE/],
    ['on-policy imitation without a teacher', ['train', '--out', out, '--imitate-on', 'learner'], /--imitate-on learner says whose trajectory imitation follows: add --imitate NAME:RATE/],
    ['a curriculum that does not grow', ['train', '--out', out, '--curriculum', '100,50'], /--curriculum .*expected increasing horizons like 100,200,500,1000/],
    ['an unknown teacher', ['train', '--out', out, '--imitate', 'lion:1'], /--imitate .*NAME:LEARNING_RATE with NAME one of sgd/],
    ['an ES scale without ES', ['train', '--out', out, '--es-sigma', '0.1'], /--es-sigma, --es-guide and --es-params set evolution strategies up: add --es-pairs N/],
    ['unknown ES parameters', ['train', '--out', out, '--es-pairs', '4', '--es-params', 'head,lstm7'], /--es-params 'lstm7' names no meta-parameter: use prefixes of lstm0, lstm1, head, e\.g\. head/],
    ['an ES guide out of range', ['train', '--out', out, '--es-pairs', '4', '--es-guide', '1'], /--es-guide .*expected a number in \[0, 1\)/],
    ['ES with imitation', ['train', '--out', out, '--es-pairs', '4', '--imitate', 'nag:1'], /--es-pairs estimates the gradient of the meta-loss, not of imitation: drop --imitate/],
    ['no selection with a curriculum', ['train', '--out', out, '--select-by', 'last', '--curriculum', '100,200'], /--select-by last keeps every validated φ, so --curriculum and --patience would never end a stage: train one horizon with --horizon N/],
    ['ES with groups', ['train', '--out', out, '--es-pairs', '4', '--groups', '2'], /--es-pairs draws a task sample per pair: drop --groups/],
    ['a worker given no Redis URL', ['worker', '--redis', 'http://example.org'], /cannot start the worker: not a Redis URL: 'http:\/\/example.org' \(expected redis:\/\/HOST:PORT\)/],
    ['a worker with no Redis there', ['worker', '--redis', 'redis://127.0.0.1:1'], /cannot start the worker: no Redis answers at redis:\/\/127.0.0.1:1/],
    ['a learner with no Redis there', ['train', '--out', out, '--redis', 'redis://127.0.0.1:1'], /cannot use the Redis at redis:\/\/127.0.0.1:1: no Redis answers at redis:\/\/127.0.0.1:1/],
    ['unknown task', ['compare', '--out', out, '--task', 'cifar'], /--task .*expected one of quadratic/],
    ['unknown baseline', ['compare', '--out', out, '--baselines', 'adam,lion'], /--baselines .*comma-separated list/],
    ['nothing to compare', ['compare', '--out', out, '--baselines', 'none'], /nothing to compare: give --optimizer FILE/],
    ['missing --mnist-optimizer file', ['reproduce', '--out', out, '--only', 'fig4-mnist', '--mnist-optimizer', path.join(tmp, 'nope.json')], /cannot read optimizer file '.*nope.json'/],
    ['unknown backend', ['--backend', 'gpu', 'compare', '--out', out], /--backend .*expected one of wasm, cpu/],
    ['unknown kernel', ['--kernel', 'gpu', 'compare', '--out', out], /option '--kernel <name>' argument 'gpu' is invalid. Allowed choices are native, tfjs/],
    ['missing --out', ['compare'], /required option '--out <dir>'/],
    ['missing optimizer file', ['compare', '--out', out, '--optimizer', path.join(tmp, 'nope.json')], /cannot read optimizer file/],
    ['optimizer file not JSON', ['compare', '--out', out, '--optimizer', notJson], /is not valid JSON/],
    ['inspect a missing file', ['inspect', path.join(tmp, 'nope.json')], /^l2l: cannot read optimizer file '.*nope.json'/],
    ['inspect a file that is not JSON', ['inspect', notJson], /is not valid JSON/],
    ['inspect without a file', ['inspect'], /missing required argument 'file'/],
    ['wrong file version', ['compare', '--out', out, '--optimizer', oldVersion], /unsupported optimizer file version 0/],
    ['output directory not writable', ['train', '--out', path.join(aFile, 'sub'), '--iterations', '1'], /cannot write to output directory/],
    ['unknown activation', ['compare', '--out', out, '--task', 'mnist', '--activation', 'swish'], /--activation .*expected one of sigmoid, relu, tanh, elu/],
    ['bad hidden sizes', ['compare', '--out', out, '--task', 'mnist', '--hidden', '20,x'], /--hidden .*hidden layer sizes like 20 or 20,20/],
    ['neither --out nor --resume', ['train'], /train needs --out DIR to start a run, or --resume DIR/],
    ['--resume without a checkpoint', ['train', '--resume', tmp], /no checkpoint to resume in .*checkpoint.json is missing/],
    ['corrupt checkpoint', ['train', '--resume', path.join(tmp, 'corrupt-run')], /checkpoint .* is corrupt or not a checkpoint/],
    ['optimizer with wrong shapes', ['compare', '--out', out, '--optimizer', wrongShape], /weight 'head.w' has shape \[3,1\], expected \[20,1\]/],
    ['optimizer with a non-finite weight', ['compare', '--out', out, '--optimizer', nonFinite], /weight 'head.b' has a non-finite or non-numeric value/],
    ['a directory that holds a run', ['train', '--out', path.join(tmp, 'finished-run')], /'.*finished-run' already holds a run \(optimizer\.json\): continue it with --resume .*, replace it with --force, or choose another --out/],
    ['dimension above the flag\'s bound', ['train', '--out', out, '--dims', '100000000000'], /--dims .*expected an integer from 1 to 10000, got '100000000000'/],
    ['train too big for memory', ['train', '--out', out, '--dims', '10000'], /train would need about .* GiB .*above the limit of .* GiB .*: use fewer --members/],
    ['compare too big for memory', ['compare', '--out', out, '--runs', '1000000', '--steps', '100000'], /compare would need about .* GiB \(.* GiB of loss curves for 5 optimizers × 1000000 runs × 100001 steps.*above the limit/],
    ['missing MNIST files', ['compare', '--out', out, '--task', 'mnist', '--runs', '1', '--steps', '1'], /MNIST file '.*t10k-images-idx3-ubyte' is missing: reinstall/],
    ['missing Fashion-MNIST files', ['compare', '--out', out, '--task', 'convnet', '--dataset', 'fashion-mnist', '--runs', '1', '--steps', '1'], /^l2l: Fashion-MNIST file '.*t10k-images-idx3-ubyte' is missing: install it with 'sudo apt-get install dataset-fashion-mnist'/],
    ['missing Fashion-MNIST files for generalize', ['generalize', '--out', out, '--optimizer', pretrainedOptimizerPath('mnist'), '--only', 'mnist,fashion'], /Fashion-MNIST file '.*' is missing: install it with 'sudo apt-get install dataset-fashion-mnist'/],
    ['unknown dataset', ['compare', '--out', out, '--task', 'mnist', '--dataset', 'cifar'], /--dataset .*expected one of mnist, fashion-mnist/],
    ['convnet layers without logits', ['compare', '--out', out, '--task', 'convnet', '--layers', 'conv8x3,relu,dense11'], /--layers .*the last layer must be dense10 \(the logits\), got 'dense11'/],
    ['an unknown recurrent cell', ['compare', '--out', out, '--task', 'rnn', '--cell', 'lstm'], /--cell .*expected one of simple, gru, got 'lstm'/],
    ['an unknown mixture task', ['train', '--out', out, '--task', 'mixture', '--mixture', 'mnist,cifar:2'], /--mixture .*'cifar' is not a task of the generalize grid: use some of mnist, mnist-relu/],
    ['a mixture weight of 0', ['train', '--out', out, '--task', 'mixture', '--mixture', 'mnist,quadratic:0'], /--mixture .*'quadratic:0': a weight is a number above 0 and at most 1000, as in quadratic:2/],
    ['--validation-mean without a mixture', ['train', '--out', out, '--task', 'quadratic', '--validation-mean', 'geometric', '--iterations', '1'], /^l2l: --validation-mean combines a mixture's components: use it with --task mixture --mixture \.\.\.$/m],
    ['--validation-long naming no component', ['train', '--out', out, '--task', 'mixture', '--mixture', 'quadratic,rnn', '--validation-long', 'mnist:1000', '--iterations', '1'], /--validation-long names 'mnist', not a component of the mixture: use one of quadratic, rnn/],
    ['--validation-long without steps', ['train', '--out', out, '--task', 'mixture', '--mixture', 'quadratic,rnn', '--validation-long', 'rnn'], /--validation-long .*expected COMPONENT:STEPS .*got 'rnn'/],
    ['an unknown generalize task', ['generalize', '--out', out, '--optimizer', pretrainedOptimizerPath('mnist'), '--only', 'mnist,cifar'], /unknown task id 'cifar' for --only: use mnist, mnist-relu/],
    ['generalize baselines from a folder without the task', ['generalize', '--out', out, '--optimizer', pretrainedOptimizerPath('mnist'), '--only', 'quadratic', '--baselines-from', tmp], /--baselines-from: '.*quadratic\/results.json' is missing: give the --out folder of an earlier l2l generalize run/],
  ];
  fs.mkdirSync(path.join(tmp, 'finished-run'));
  fs.writeFileSync(path.join(tmp, 'finished-run', 'optimizer.json'), '{}');
  fs.mkdirSync(path.join(tmp, 'corrupt-run'));
  fs.writeFileSync(path.join(tmp, 'corrupt-run', 'checkpoint.json'), '{"format": "l2l-meta-checkpoint", "iter');

  for (const [name, args, message] of cases) {
    it(name, async () => {
      if (!fs.existsSync(oldVersion)) {
        await setupBackend();
        const doc = () => JSON.parse(JSON.stringify(toOptimizerFile(PAPER_LSTM, initMetaParams(PAPER_LSTM, new Rng(0)), {} as never)));
        fs.writeFileSync(oldVersion, JSON.stringify({ ...doc(), version: 0 }));
        const bad = doc();
        bad.weights['head.w'].shape = [3, 1];
        fs.writeFileSync(wrongShape, JSON.stringify(bad));
        const infinite = doc();
        infinite.weights['head.b'].values = [null];
        fs.writeFileSync(nonFinite, JSON.stringify(infinite));
      }
      // The MNIST case reads its files from an empty directory.
      const mnistDir = process.env.L2L_MNIST_DIR;
      const fashionDir = process.env.L2L_FASHION_MNIST_DIR;
      if (name === 'missing MNIST files') process.env.L2L_MNIST_DIR = tmp;
      if (name.startsWith('missing Fashion-MNIST')) process.env.L2L_FASHION_MNIST_DIR = tmp;
      const { code, stderr } = await cli(args).finally(() => {
        if (mnistDir === undefined) delete process.env.L2L_MNIST_DIR;
        else process.env.L2L_MNIST_DIR = mnistDir;
        if (fashionDir === undefined) delete process.env.L2L_FASHION_MNIST_DIR;
        else process.env.L2L_FASHION_MNIST_DIR = fashionDir;
      });
      assert.equal(code, 2, stderr);
      assert.match(stderr, message);
      assert.equal(stderr.trim().split('\n').length, 1, `one line expected, got: ${stderr}`);
      assert.doesNotMatch(stderr, /\n\s+at /);
      assert.ok(!fs.existsSync(out) || fs.readdirSync(out).length === 0, 'no output file may be written');
    });
  }

  it('--help exits with 0', async () => {
    const original = process.stdout.write.bind(process.stdout);
    process.stdout.write = (() => true) as typeof process.stdout.write;
    try {
      assert.equal((await cli(['train', '--help'])).code, 0);
    } finally {
      process.stdout.write = original;
    }
  });
});

describe('CLI: the bin and the README main command, as a new user runs them', () => {
  it('bin/l2l.js reports a bad value in one line with exit code 2', async () => {
    await assert.rejects(run('node', ['bin/l2l.js', 'train', '--out', '/tmp/x', '--seed', 'abc'], { cwd: repo }), (e: { code: number; stderr: string }) => {
      assert.equal(e.code, 2);
      assert.equal(e.stderr.trim().split('\n').length, 1);
      return true;
    });
  });

  it('quickstart (npm start, here on a small setting) trains, compares, writes the report and prints the table', async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'l2l-quickstart-'));
    const { stdout } = await run('node', ['bin/l2l.js', 'quickstart', '--iterations', '3', '--runs', '40', '--out', out], { cwd: repo });
    for (const name of ['lstm', 'sgd', 'nag', 'rmsprop', 'adam', 'adagrad']) assert.match(stdout, new RegExp(`^\\| ${name} \\|`, 'm'));
    for (const file of ['optimizer.json', 'log.jsonl', 'results.json', 'loss.png', 'loss.svg', 'summary.md']) {
      assert.ok(fs.statSync(path.join(out, file)).size > 0, file);
    }
    const results = JSON.parse(fs.readFileSync(path.join(out, 'results.json'), 'utf8'));
    assert.equal(results.task, 'quadratic');
    assert.equal(results.runs, 40);
    assert.equal(results.seed, 1);
    assert.deepEqual(results.optimizers.map((o: { name: string }) => o.name), ['lstm', 'sgd', 'nag', 'rmsprop', 'adam', 'adagrad']);
    for (const o of results.optimizers) {
      assert.equal(o.meanLoss.length, 101);
      assert.equal(o.medianLoss.length, 101);
    }
    const log = fs.readFileSync(path.join(out, 'log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(log.filter((e) => e.type === 'iteration').length, 3);
    const saved = JSON.parse(fs.readFileSync(path.join(out, 'optimizer.json'), 'utf8'));
    assert.equal(saved.provenance.seed, 0);
    assert.match(saved.provenance.command, /^l2l train --task quadratic/);
  });
});

describe('CLI: Ctrl-C during training', () => {
  it('stops cleanly and leaves the best optimizer saved', async () => {
    const { spawn } = await import('node:child_process');
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'l2l-sigint-'));
    const child = spawn('node', ['bin/l2l.js', 'train', '--out', out, '--iterations', '10000', '--members', '16', '--validation-members', '16', '--validate-every', '2'], { cwd: repo });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const log = path.join(out, 'log.jsonl');
    const iterations = () => (fs.existsSync(log) ? fs.readFileSync(log, 'utf8').split('\n').filter((l) => l.includes('"type":"iteration"')).length : 0);
    while (iterations() < 3) await new Promise((r) => setTimeout(r, 100));
    child.kill('SIGINT');
    const code = await new Promise((resolve) => child.on('exit', resolve));
    assert.equal(code, 0, stderr);
    assert.match(stderr, /meta-training interrupted after \d+ iterations/);
    const saved = JSON.parse(fs.readFileSync(path.join(out, 'optimizer.json'), 'utf8'));
    assert.equal(saved.format, 'l2l-lstm-optimizer');
    assert.ok(saved.provenance.iterations >= 2);
  });
});

describe('CLI: train on MNIST on each engine', () => {
  const cases: Array<[string, string[], string, number]> = [
    // The TensorFlow.js engine shares the LSTM's rows with a worker thread by default.
    ['on the TensorFlow.js engine with a worker thread (its default)', ['--kernel', 'tfjs'], 'tfjs', 2],
    ...(NATIVE_SKIP ? [] : [['on the native engine, one thread of validation (its default)', [], 'native', 1] as [string, string[], string, number]]),
  ];
  for (const [label, flags, engine, threads] of cases) {
    it(`a 784-6-10 network (4,786 coordinates) trains through bin/l2l.js ${label}, records it, and exits`, async () => {
      const out = fs.mkdtempSync(path.join(os.tmpdir(), 'l2l-threads-'));
      const args = ['bin/l2l.js', ...flags, 'train', '--task', 'mnist', '--hidden', '6', '--iterations', '2', '--horizon', '4', '--unroll', '2', '--validate-every', '1', '--validation-members', '2', '--out', out];
      await run('node', args, { cwd: repo, timeout: 120_000 });
      const log = fs.readFileSync(path.join(out, 'log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
      assert.equal(log[0].engine, engine);
      assert.equal(log[0].threads, threads);
      assert.equal(log[0].validationChunks, 2);
      const iterations = log.filter((e) => e.type === 'iteration');
      assert.equal(iterations.length, 2);
      for (const e of iterations) assert.ok(Number.isFinite(e.metaLoss) && e.skippedUpdates === 0, JSON.stringify(e));
      assert.ok(fs.statSync(path.join(out, 'optimizer.json')).size > 0);
    });
  }
});

describe('CLI: generalize', () => {
  it('--baselines-from an earlier run evaluates the learned optimizer alone and writes the same results', async (t) => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'l2l-generalize-'));
    t.after(() => fs.rmSync(tmp, { recursive: true, force: true }));
    const args = ['bin/l2l.js', 'generalize', '--only', 'quadratic', '--quick', '--optimizer', pretrainedOptimizerPath('general')];
    const first = await run('node', [...args, '--out', path.join(tmp, 'first')], { cwd: repo });
    const again = await run('node', [...args, '--out', path.join(tmp, 'again'), '--baselines-from', path.join(tmp, 'first')], { cwd: repo });
    // Tuning prints each baseline's chosen rate ('adam: learning rate 1'); the second run tunes nothing.
    assert.match(first.stderr, /adam: learning rate/);
    assert.doesNotMatch(again.stderr, /learning rate/);
    const read = (dir: string) => JSON.parse(fs.readFileSync(path.join(tmp, dir, 'quadratic', 'results.json'), 'utf8')) as Record<string, unknown>;
    const [computed, reused] = [read('first'), read('again')];
    assert.deepEqual(reused.optimizers, computed.optimizers);
    assert.equal(reused.baselinesFrom, path.join(tmp, 'first', 'quadratic', 'results.json'));
    assert.equal(computed.baselinesFrom, undefined);
    const grid = JSON.parse(fs.readFileSync(path.join(tmp, 'again', 'generalize.json'), 'utf8')) as { baselinesFrom: string; summary: { tasks: number } };
    assert.equal(grid.baselinesFrom, path.join(tmp, 'first'));
    assert.equal(grid.summary.tasks, 1);
  });
});

describe('CLI: reproduce', () => {
  it('writes each chosen panel and an index.json that a results viewer can follow', async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'l2l-reproduce-'));
    await run('node', ['bin/l2l.js', 'reproduce', '--only', 'fig4-quadratic', '--quadratic-runs', '20', '--out', out], { cwd: repo });
    const index = parseResultsIndex(JSON.parse(fs.readFileSync(path.join(out, 'index.json'), 'utf8')));
    assert.deepEqual(index.panels.map((p) => p.id), ['fig4-quadratic']);
    const results = parseResults(JSON.parse(fs.readFileSync(path.join(out, index.panels[0].results), 'utf8')));
    assert.equal(results.runs, 20);
    assert.deepEqual(results.optimizers.map((o) => o.name), ['lstm', 'sgd', 'nag', 'rmsprop', 'adam']);
    assert.ok(fs.statSync(path.join(out, 'fig4-quadratic', 'loss.png')).size > 0);
  });
});
