import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { PAPER_LSTM } from '../../learned/lstmConfig.ts';
import { loadOptimizee, releaseOptimizee, saveOptimizee, truncation } from '../../meta/truncation.ts';
import type { Task } from '../../tasks/task.ts';
import { mlpTruncationStart } from '../../testing/mlpTruncation.ts';
import { assertClose, setupBackend } from '../../testing/setup.ts';
import type { Engine } from '../engine.ts';
import { tfjsEngine } from '../tfjs/tfjsEngine.ts';
import { LstmWorker, type LstmRequest } from './lstmWorker.ts';
import { PARALLEL_MIN_ROWS, shardBounds, shardedLstm } from './shardedLstm.ts';

/** Two truncations of 5 steps from `start` on `engine`: their meta-gradients, losses and final θ. */
function twoTruncations(engine: Pick<Engine, 'lstm'>, task: Task, phi: Float32Array, start: ReturnType<typeof mlpTruncationStart>['start']) {
  const state = loadOptimizee(engine, PAPER_LSTM, start);
  const results = [0, 1].map(() => {
    return truncation(engine, { config: PAPER_LSTM, phi }, task, state, 5);
  });
  const end = saveOptimizee(engine, state);
  releaseOptimizee(engine, state);
  return { results, end };
}

/** A worker that counts the requests it is sent, by type. */
class CountingWorker extends LstmWorker {
  readonly calls: Record<string, number> = {};
  override request(message: LstmRequest): void {
    this.calls[message.type] = (this.calls[message.type] ?? 0) + 1;
    super.request(message);
  }
}

describe('worker-thread row splitting (TensorFlow.js engine)', () => {
  let worker: CountingWorker;
  before(async () => {
    await setupBackend();
    worker = new CountingWorker(tf.getBackend());
  });
  after(() => worker.close());

  it('splits rows as equally as possible', () => {
    assert.deepEqual(shardBounds(10, 3), [[0, 3], [3, 6], [6, 10]]);
  });

  it('half of the rows on a worker thread: the same meta-gradients, losses and states as one thread, over two truncations', () => {
    const whole = tfjsEngine();
    const { task, phi, start } = mlpTruncationStart(whole, PAPER_LSTM, 6, 32, 3);
    assert.ok(start.theta.length >= PARALLEL_MIN_ROWS, `${start.theta.length} rows: enough to split`);
    const one = twoTruncations(whole, task, phi, start);
    const two = twoTruncations({ lstm: shardedLstm(whole.lstm, [worker]) }, task, phi, start);
    // The worker took part: every step and both meta-gradients.
    assert.equal(worker.calls.step, 10);
    assert.equal(worker.calls.metaGradient, 2);
    one.results.forEach((r, k) => {
      assertClose(two.results[k].metaGrad!, r.metaGrad!, { rtol: 1e-3, atol: 1e-6, label: `dL/dphi, truncation ${k}` });
      assertClose(two.results[k].losses, r.losses, { rtol: 1e-6 });
    });
    assertClose(two.end.theta, one.end.theta, { rtol: 1e-6, atol: 1e-8 });
    one.end.lstm.h.forEach((h, l) => assertClose(two.end.lstm.h[l], h, { rtol: 1e-5, atol: 1e-7, label: `h${l}` }));
    task.dispose?.();
  });
});
