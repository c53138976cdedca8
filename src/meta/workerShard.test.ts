import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { PAPER_LSTM } from '../learned/lstmConfig.ts';
import { flat, mlpTruncationStart } from '../testing/mlpTruncation.ts';
import { assertClose, setupBackend } from '../testing/setup.ts';
import { PARALLEL_MIN_ROWS, truncatedMetaGradient } from './metaGradient.ts';
import type { Shard } from './shard.ts';
import { WorkerShard } from './workerShard.ts';

describe('worker-thread shards', () => {
  let worker: WorkerShard;
  before(async () => {
    await setupBackend();
    worker = new WorkerShard(tf.getBackend());
  });
  after(() => worker.close());

  it('half of the rows on a worker thread: same meta-gradient, losses and next state as one thread', () => {
    const { task, phi, start } = mlpTruncationStart(PAPER_LSTM, 6, 32, 3);
    const rows = start.params.reduce((n, p) => n + p.size, 0);
    assert.ok(rows >= PARALLEL_MIN_ROWS && rows <= 16384, `${rows} rows: split only because of the worker`);
    // Count what the worker is asked to do, to be sure it took part.
    const calls = { forward: 0, finish: 0 };
    const counted: Shard = {
      begin: (s) => worker.begin(s),
      forward: (g) => (calls.forward++, worker.forward(g)),
      updates: () => worker.updates(),
      finish: (d, b) => (calls.finish++, worker.finish(d, b)),
      result: () => worker.result(),
    };
    const whole = truncatedMetaGradient(PAPER_LSTM, phi, task, start, 5);
    const twoThreads = truncatedMetaGradient(PAPER_LSTM, phi, task, start, 5, 'loss', 16384, [counted]);
    assert.deepEqual(calls, { forward: 5, finish: 1 });
    assertClose(flat(twoThreads.metaGrads), flat(whole.metaGrads), { rtol: 1e-4, atol: 1e-7, label: 'dL/dphi' });
    assertClose(twoThreads.losses, whole.losses, { rtol: 1e-6 });
    assertClose(flat(twoThreads.next.params), flat(whole.next.params), { rtol: 1e-6, atol: 1e-8 });
    // The worker keeps working across truncations.
    const again = truncatedMetaGradient(PAPER_LSTM, phi, task, twoThreads.next, 5, 'loss', 16384, [counted]);
    const wholeAgain = truncatedMetaGradient(PAPER_LSTM, phi, task, whole.next, 5);
    assert.deepEqual(calls, { forward: 10, finish: 2 });
    assertClose(flat(again.metaGrads), flat(wholeAgain.metaGrads), { rtol: 1e-3, atol: 1e-6, label: 'second truncation' });
  });
});
