/** Shared test fixture: a truncation start on a small MNIST MLP, and flattening of tensor values. */
import * as tf from '@tensorflow/tfjs';
import { loadMnist } from '../data/mnist.ts';
import { initMetaParams, metaParamList, metaParamsFromList, type LstmConfig } from '../learned/lstmConfig.ts';
import { lstmOptimizer } from '../learned/lstmOptimizer.ts';
import { Rng } from '../random/rng.ts';
import { MlpFamily, PAPER_MLP } from '../tasks/mlp.ts';

/** One 784-hidden-10 network on test images, random φ, and the LSTM's zero state at step 0. */
export function mlpTruncationStart(lstm: LstmConfig, hidden: number, batchSize: number, seed: number) {
  const rng = new Rng(seed);
  const task = new MlpFamily({ ...PAPER_MLP, hidden: [hidden], batchSize, split: 'test' }, loadMnist).sample(rng.child('task'), 1);
  const phi = metaParamList(lstm, initMetaParams({ ...lstm, base: null }, rng.child('phi')));
  const params = task.init(rng.child('theta'));
  return { task, phi, start: { params, state: lstmOptimizer(lstm, metaParamsFromList(lstm, phi)).init(params), step: 0 } };
}

/** The values of several tensors, one after another. */
export function flat(ts: tf.Tensor[]): Float32Array {
  return Float32Array.from(ts.flatMap((t) => Array.from(t.dataSync())));
}
