import { after, before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { loadMnist } from '../data/mnist.ts';
import { initMetaParams, metaParamList, metaParamsFromList, PAPER_LSTM } from '../learned/lstmConfig.ts';
import { lstmOptimizer } from '../learned/lstmOptimizer.ts';
import { Rng } from '../random/rng.ts';
import { MlpFamily, PAPER_MLP } from '../tasks/mlp.ts';
import { assertClose, setupBackend } from '../testing/setup.ts';
import { truncatedMetaGradient } from './metaGradient.ts';
import { WorkerShard } from './workerShard.ts';

const flat = (ts: tf.Tensor[]) => Float32Array.from(ts.flatMap((t) => Array.from(t.dataSync())));

describe('worker-thread shards', () => {
  let worker: WorkerShard;
  before(async () => {
    await setupBackend();
    worker = new WorkerShard(tf.getBackend());
  });
  after(() => worker.close());

  it('half of the rows on a worker thread: same meta-gradient, losses and next state as one thread', () => {
    const rng = new Rng(3);
    const task = new MlpFamily({ ...PAPER_MLP, hidden: [4], batchSize: 32, split: 'test' }, loadMnist).sample(rng.child('task'), 1);
    const phi = metaParamList(PAPER_LSTM, initMetaParams(PAPER_LSTM, rng.child('phi')));
    const params = task.init(rng.child('theta'));
    const start = { params, state: lstmOptimizer(PAPER_LSTM, metaParamsFromList(PAPER_LSTM, phi)).init(params), step: 0 };
    const whole = truncatedMetaGradient(PAPER_LSTM, phi, task, start, 5);
    // 3,190 rows: below the default block size, so only the worker makes it split.
    const twoThreads = truncatedMetaGradient(PAPER_LSTM, phi, task, start, 5, 'loss', 16384, [worker]);
    assertClose(flat(twoThreads.metaGrads), flat(whole.metaGrads), { rtol: 1e-4, atol: 1e-7, label: 'dL/dphi' });
    assertClose(twoThreads.losses, whole.losses, { rtol: 1e-6 });
    assertClose(flat(twoThreads.next.params), flat(whole.next.params), { rtol: 1e-6, atol: 1e-8 });
    // The worker keeps working across truncations.
    const again = truncatedMetaGradient(PAPER_LSTM, phi, task, twoThreads.next, 5, 'loss', 16384, [worker]);
    const wholeAgain = truncatedMetaGradient(PAPER_LSTM, phi, task, whole.next, 5);
    assertClose(flat(again.metaGrads), flat(wholeAgain.metaGrads), { rtol: 1e-3, atol: 1e-6, label: 'second truncation' });
  });
});
