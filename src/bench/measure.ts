/**
 * One benchmark measurement, run in its own process so that its peak resident memory is its
 * own: meta-training iterations (`metaIteration`: one 100-step horizon in 5 truncations of 20,
 * meta-updates included) after warm-up iterations, learned-optimizer evaluation steps of one
 * network, or a batch of evaluation jobs as a comparison runs them (`EvalPool`). Prints one JSON
 * line. The engine is `selectEngine`'s (`L2L_KERNEL`); `L2L_THREADS` sets the threads (worker
 * threads of the TensorFlow.js engine's LSTM, or of the evaluation pool).
 *
 * `convnet-step` times one loss-and-gradient of the default convnet task at batch 128 on the
 * backend `initBackend` starts (`L2L_BACKEND`); `adapter-step` times `model.trainOnBatch` of a
 * 595k-parameter convnet through the tf.Optimizer adapter, with `pretrained/general.json` (or the file given) and with
 * `tf.train.adam`, alternating.
 *
 *   tsx src/bench/measure.ts <quadratic|mnist|mnist-base|mnist-wide|mnist-eval|mnist-eval-batch|convnet-step|adapter-step> <timedIterations> [optimizer file, adapter-step only]
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../backend/backend.ts';
import { loadMnist, mnistImages } from '../data/mnist.ts';
import { L2LOptimizer } from '../adapter/nodeAdapter.ts';
import { toOptimizerFile } from '../learned/optimizerFile.ts';
import { ConvnetFamily, parseLayers, PAPER_CONVNET_LAYERS } from '../tasks/convnet.ts';
import type { Engine } from '../engine/engine.ts';
import { selectEngine } from '../engine/select.ts';
import { EvalPool } from '../eval/evalPool.ts';
import { lstmContender, type UnrollJob } from '../eval/unrollJob.ts';
import { learnedOptimizer } from '../learned/learnedOptimizer.ts';
import { initMetaParams, PAPER_LSTM, type LstmConfig } from '../learned/lstmConfig.ts';
import { defaultMetaTrainConfig } from '../meta/metaTrain.ts';
import { metaIteration, type MetaState } from '../meta/metaIteration.ts';
import { metaOptimizer } from '../meta/metaOptimizer.ts';
import { Rng } from '../random/rng.ts';
import { loadOptimizer } from '../io/optimizerStore.ts';
import { pretrainedOptimizerPath } from '../io/pretrained.ts';
import { MlpFamily, PAPER_MLP, type MlpConfig } from '../tasks/mlp.ts';
import { QuadraticFamily } from '../tasks/quadratic.ts';
import type { TaskFamily } from '../tasks/task.ts';
import { unroll } from '../unroll/unroll.ts';

const HORIZON = 100;
const UNROLL = 20;
/** Threads (`L2L_THREADS`, default 1). */
const THREADS = Number(process.env.L2L_THREADS ?? 1);

/** The shipped default's recipe: the LSTM's output × 0.05 added to RMSprop at 0.005. */
const WITH_BASE: LstmConfig = { ...PAPER_LSTM, outputScale: 0.05, base: { optimizer: 'rmsprop', learningRate: 0.005 } };

/**
 * Seconds for each of `timed` meta-iterations after `warmUp` untimed ones (the first iterations
 * of a process are slower: the JIT compiles, the heap and the kernel's buffers grow).
 */
async function metaIterationSeconds(engine: Engine, family: TaskFamily, lstm: LstmConfig, members: number, timed: number, warmUp: number): Promise<{ seconds: number[]; coordinates: number }> {
  // As `train` runs it: Adam on φ as one flat vector, gradients clipped (norm 0: checked only).
  const config = defaultMetaTrainConfig({ lstm, membersPerTask: members, horizon: HORIZON, unrollLength: UNROLL, clipGradNorm: 0, seed: 0 });
  const phi = initMetaParams(lstm, new Rng(0).child('phi'));
  const run: MetaState = { phi, metaState: metaOptimizer(0).init(phi.length) };
  const seconds: number[] = [];
  for (let it = 0; it < warmUp + timed; it++) {
    const started = performance.now();
    await metaIteration(engine, family, config, run, it, HORIZON, 1e-3);
    if (it >= warmUp) seconds.push((performance.now() - started) / 1000);
  }
  return { seconds, coordinates: family.sizeOf(members).coordinates };
}

/**
 * Seconds for each of `timed` 100-step evaluations of the learned optimizer on one network: its
 * steps only (the full test-set metrics a comparison adds at the end are not a step).
 */
function evaluationSeconds(engine: Engine, timed: number): number[] {
  const family = new MlpFamily({ ...PAPER_MLP, split: 'test' }, loadMnist, engine.mlp);
  const optimizer = learnedOptimizer(PAPER_LSTM, initMetaParams(PAPER_LSTM, new Rng(0)), engine);
  const seconds: number[] = [];
  for (let it = 0; it <= timed; it++) {
    const task = family.sample(new Rng(it), 1);
    const theta0 = task.init(new Rng(it));
    const started = performance.now();
    unroll(task, optimizer, theta0, HORIZON, { finalMetrics: false });
    if (it > 0) seconds.push((performance.now() - started) / 1000);
    task.dispose();
  }
  return seconds;
}

/** Networks per job and jobs in a comparison-like evaluation batch. */
const BATCH = { jobs: 4, members: 3 };

/** Seconds for each of `timed` evaluations of `BATCH` (100 steps each) on `THREADS` threads, after a warm-up. */
async function evaluationBatchSeconds(engine: Engine, timed: number): Promise<number[]> {
  const family = new MlpFamily({ ...PAPER_MLP, split: 'test' }, loadMnist, engine.mlp);
  const contenders = [lstmContender('lstm', PAPER_LSTM, initMetaParams(PAPER_LSTM, new Rng(0)), engine)];
  const pool = new EvalPool(THREADS, tf.getBackend(), engine.name);
  const seconds: number[] = [];
  for (let it = 0; it <= timed; it++) {
    const jobs: UnrollJob[] = Array.from({ length: BATCH.jobs }, (_, k) => ({ contender: 0, seed: it, stream: `bench${k}`, members: BATCH.members, steps: HORIZON, finalMetrics: false }));
    const started = performance.now();
    await pool.run(family, contenders, jobs);
    if (it > 0) seconds.push((performance.now() - started) / 1000);
  }
  await pool.close();
  return seconds;
}

/** Seconds of each of `timed` convnet losses and gradients (batch 128) after one warm-up. */
function convnetStepSeconds(timed: number): number[] {
  const task = new ConvnetFamily({ dataset: 'mnist', split: 'train', batchSize: 128, layers: parseLayers(PAPER_CONVNET_LAYERS) }, loadMnist).sample(new Rng(0), 1);
  const theta = task.init(new Rng(1));
  const seconds: number[] = [];
  for (let step = 0; step <= timed; step++) {
    const started = performance.now();
    task.lossAndGrad(theta, step);
    if (step > 0) seconds.push((performance.now() - started) / 1000);
  }
  task.dispose();
  return seconds;
}

/**
 * The TensorFlow.js examples' Node MNIST convnet (conv 32, conv 32, pool, conv 64, conv 64, pool,
 * dense 512, dense 10: 594,922 parameters), one `trainOnBatch` of 128 images per step with the
 * learned optimizer and with Adam, alternating; seconds of each after one warm-up step each.
 */
async function adapterStepSeconds(engine: Engine, timed: number, file: string): Promise<{ learned: number[]; adam: number[]; parameters: number }> {
  const build = (optimizer: tf.Optimizer) => {
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 32, kernelSize: 3, activation: 'relu' }),
        tf.layers.conv2d({ filters: 32, kernelSize: 3, activation: 'relu' }),
        tf.layers.maxPooling2d({ poolSize: 2 }),
        tf.layers.conv2d({ filters: 64, kernelSize: 3, activation: 'relu' }),
        tf.layers.conv2d({ filters: 64, kernelSize: 3, activation: 'relu' }),
        tf.layers.maxPooling2d({ poolSize: 2 }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 512, activation: 'relu' }),
        tf.layers.dense({ units: 10, activation: 'softmax' }),
      ],
    });
    model.compile({ optimizer, loss: 'categoricalCrossentropy' });
    return model;
  };
  const data = loadMnist('train');
  const x = tf.tensor4d(mnistImages(data, 0, 128), [128, 28, 28, 1]);
  const y = tf.oneHot(tf.tensor1d(data.labels.subarray(0, 128), 'int32'), 10);
  // The shipped default for a user's model unless a file is given (its inputs decide the per-coordinate work).
  const loaded = loadOptimizer(file);
  const learned = build(new L2LOptimizer({ kind: 'learned', file: toOptimizerFile(loaded.config, loaded.phi, {} as never) }, engine));
  const adam = build(tf.train.adam(0.001));
  const times = { learned: [] as number[], adam: [] as number[] };
  for (let step = 0; step <= timed; step++) {
    for (const [name, model] of [['learned', learned], ['adam', adam]] as const) {
      const started = performance.now();
      await model.trainOnBatch(x, y);
      if (step > 0) times[name].push((performance.now() - started) / 1000);
    }
  }
  return { ...times, parameters: learned.countParams() };
}

const [part, timedArg, fileArg] = process.argv.slice(2);
const timed = Number(timedArg ?? 3);
await initBackend();
const evaluating = part.startsWith('mnist-eval');
// Meta-training's engine: on TensorFlow.js, its LSTM rows shared with THREADS − 1 worker threads.
const engine = selectEngine(evaluating ? {} : { workerThreads: THREADS - 1 });
const mnist = (changes: Partial<MlpConfig>) => new MlpFamily({ ...PAPER_MLP, ...changes }, loadMnist, engine.mlp);
/** Task family, LSTM, members per task and warm-up iterations of each meta-training part (a quadratic iteration is short). */
const parts: Record<string, [TaskFamily, LstmConfig, number, number]> = {
  quadratic: [new QuadraticFamily(), PAPER_LSTM, 128, 3],
  mnist: [mnist({}), PAPER_LSTM, 1, 1],
  'mnist-base': [mnist({}), WITH_BASE, 1, 1],
  'mnist-wide': [mnist({ hidden: [80] }), PAPER_LSTM, 1, 1],
};
let result: Record<string, unknown>;
if (part === 'convnet-step') {
  result = { part, seconds: convnetStepSeconds(timed) };
} else if (part === 'adapter-step') {
  const { learned, adam, parameters } = await adapterStepSeconds(engine, timed, fileArg ?? pretrainedOptimizerPath('general'));
  result = { part, seconds: learned, adamSeconds: adam, coordinates: parameters };
} else if (part === 'mnist-eval') {
  result = { part, seconds: evaluationSeconds(engine, timed), stepsPerRun: HORIZON };
} else if (part === 'mnist-eval-batch') {
  result = { part, seconds: await evaluationBatchSeconds(engine, timed), members: BATCH.jobs * BATCH.members, threads: THREADS };
} else if (parts[part]) {
  const [family, lstm, members, warmUp] = parts[part];
  result = { part, members, threads: engine.threads, warmUp, ...(await metaIterationSeconds(engine, family, lstm, members, timed, warmUp)) };
} else {
  throw new Error(`unknown benchmark part '${part}'`);
}
await engine.close();
const peakRssMb = process.resourceUsage().maxRSS / 1024;
process.stdout.write(JSON.stringify({ ...result, peakRssMb, backend: tf.getBackend(), kernel: engine.name }) + '\n');
