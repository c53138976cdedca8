/**
 * One benchmark measurement, run in its own process so that its peak resident memory is its
 * own: meta-training iterations (one 100-step horizon in 5 truncations of 20, meta-updates
 * included) after warm-up iterations, learned-optimizer evaluation steps of one network, or a batch of
 * evaluation jobs as a comparison runs them (`EvalPool`). Prints one JSON line.
 *
 *   tsx src/bench/measure.ts <quadratic|mnist|mnist-wide|mnist-eval|mnist-eval-batch> <timedIterations>
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../backend/backend.ts';
import { initMetaParams, metaParamList, PAPER_LSTM } from '../learned/lstmConfig.ts';
import { lstmOptimizer } from '../learned/lstmOptimizer.ts';
import { lstmRowKernel } from '../learned/rowKernel.ts';
import { DEFAULT_BLOCK_ROWS, truncatedMetaGradient, type TruncationStart } from '../meta/metaGradient.ts';
import type { Shard } from '../meta/shard.ts';
import { unroll } from '../meta/unroll.ts';
import { initMetaAdam } from '../meta/flatParams.ts';
import { applyMetaGradient } from '../meta/metaTrain.ts';
import { workerShards } from '../meta/workerShard.ts';
import { disposeState } from '../optimizers/optimizer.ts';
import { Rng } from '../random/rng.ts';
import { MlpFamily, PAPER_MLP } from '../tasks/mlp.ts';
import { QuadraticFamily } from '../tasks/quadratic.ts';
import { numCoordinates, type TaskFamily } from '../tasks/task.ts';
import { loadMnist } from '../data/mnist.ts';
import { EvalPool } from '../eval/evalPool.ts';
import { lstmContender, type UnrollJob } from '../eval/unrollJob.ts';

const HORIZON = 100;
/** Coordinate rows per replay block (`L2L_BLOCK_ROWS`, default the library's). */
const BLOCK_ROWS = Number(process.env.L2L_BLOCK_ROWS ?? DEFAULT_BLOCK_ROWS);
const UNROLL = 20;
/** Threads sharing each truncation (`L2L_THREADS`, default 1; `train` uses 2). */
const THREADS = Number(process.env.L2L_THREADS ?? 1);

/**
 * Seconds for each of `timed` meta-iterations after `warmUp` untimed ones (the first iterations
 * of a process are slower: the JIT compiles, the heap and the kernel's buffers grow).
 */
function metaIterationSeconds(family: TaskFamily, members: number, timed: number, warmUp: number, shards: Shard[]): { seconds: number[]; coordinates: number } {
  const rng = new Rng(0);
  let phi = metaParamList(PAPER_LSTM, initMetaParams(PAPER_LSTM, rng.child('phi')));
  // As `train` does it: Adam on φ as one flat array, gradients clipped (norm 0: checked only).
  const metaState = initMetaAdam(phi.reduce((n, p) => n + p.size, 0));
  const seconds: number[] = [];
  let coordinates = 0;
  for (let it = 0; it < warmUp + timed; it++) {
    const started = performance.now();
    const task = family.sample(rng.child(`task${it}`), members);
    coordinates = numCoordinates(task);
    const theta0 = task.init(rng.child(`init${it}`));
    let start: TruncationStart = { params: theta0, state: lstmOptimizer(PAPER_LSTM, initMetaParams(PAPER_LSTM, rng)).init(theta0), step: 0 };
    for (let t = 0; t < HORIZON; t += UNROLL) {
      const result = truncatedMetaGradient(PAPER_LSTM, phi, task, start, UNROLL, 'loss', BLOCK_ROWS, shards);
      tf.dispose(start.params);
      disposeState(start.state);
      start = result.next;
      phi = applyMetaGradient(phi, result.metaGrads, metaState, 1e-3, 0)!;
      tf.dispose(result.metaGrads);
    }
    tf.dispose(start.params);
    disposeState(start.state);
    task.dispose?.();
    if (it >= warmUp) seconds.push((performance.now() - started) / 1000);
  }
  return { seconds, coordinates };
}

/**
 * Seconds for each of `timed` 100-step evaluations of the learned optimizer on one network: its
 * steps only (the full test-set metrics a comparison adds at the end are not a step).
 */
function evaluationSeconds(timed: number): number[] {
  const family = new MlpFamily({ ...PAPER_MLP, split: 'test' }, loadMnist);
  const optimizer = lstmOptimizer(PAPER_LSTM, initMetaParams(PAPER_LSTM, new Rng(0)));
  const seconds: number[] = [];
  for (let it = 0; it <= timed; it++) {
    const task = family.sample(new Rng(it), 1);
    const theta0 = task.init(new Rng(it));
    const started = performance.now();
    unroll(task, optimizer, theta0, HORIZON, { finalMetrics: false });
    if (it > 0) seconds.push((performance.now() - started) / 1000);
    tf.dispose(theta0);
    task.dispose();
  }
  return seconds;
}

/** Networks per job and jobs in a comparison-like evaluation batch. */
const BATCH = { jobs: 4, members: 3 };

/** Seconds for each of `timed` evaluations of `BATCH` (100 steps each) on `THREADS` threads, after a warm-up. */
async function evaluationBatchSeconds(timed: number): Promise<number[]> {
  const family = new MlpFamily({ ...PAPER_MLP, split: 'test' }, loadMnist);
  const phi = initMetaParams(PAPER_LSTM, new Rng(0));
  const contenders = [lstmContender('lstm', PAPER_LSTM, phi)];
  const pool = new EvalPool(THREADS, tf.getBackend());
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

const [part, timedArg] = process.argv.slice(2);
const timed = Number(timedArg ?? 3);
await initBackend();
const kernel = lstmRowKernel()?.name ?? 'tfjs';
/** Task family, members per task and warm-up iterations of each meta-training part (a quadratic iteration is short). */
const families: Record<string, [TaskFamily, number, number]> = {
  quadratic: [new QuadraticFamily(), 128, 3],
  mnist: [new MlpFamily(PAPER_MLP, loadMnist), 1, 1],
  'mnist-wide': [new MlpFamily({ ...PAPER_MLP, hidden: [80] }, loadMnist), 1, 1],
};
let result: Record<string, unknown>;
if (part === 'mnist-eval') {
  result = { part, seconds: evaluationSeconds(timed), stepsPerRun: HORIZON };
} else if (part === 'mnist-eval-batch') {
  result = { part, seconds: await evaluationBatchSeconds(timed), members: BATCH.jobs * BATCH.members, threads: THREADS };
} else if (families[part]) {
  const [family, members, warmUp] = families[part];
  const shards = workerShards(THREADS, tf.getBackend());
  result = { part, members, blockRows: BLOCK_ROWS, threads: THREADS, warmUp, ...metaIterationSeconds(family, members, timed, warmUp, shards) };
  await Promise.all(shards.map((s) => s.close()));
} else {
  throw new Error(`unknown benchmark part '${part}'`);
}
const peakRssMb = process.resourceUsage().maxRSS / 1024;
process.stdout.write(JSON.stringify({ ...result, peakRssMb, backend: tf.getBackend(), kernel }) + '\n');
