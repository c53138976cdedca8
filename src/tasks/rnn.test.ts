import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../random/rng.ts';
import { assertClose, setupBackend } from '../testing/setup.ts';
import { ADDITION_CHARS, additionBatch, additionLengths, RnnFamily, rnnShapes, type RnnConfig } from './rnn.ts';
import { autodiffLossAndGrad, numCoordinates, paramTensors } from './task.ts';
import { familyFromSpec, familySpec } from './familySpec.ts';

const small = (cell: RnnConfig['cell'], units = 4, batchSize = 6): RnnConfig => ({ cell, units, digits: 2, batchSize });

/** The string a one-hot row block encodes. */
function decode(values: Float32Array, start: number, length: number): string {
  let text = '';
  for (let t = 0; t < length; t++) {
    const row = values.subarray((start + t) * 12, (start + t + 1) * 12);
    assert.equal(row.reduce((a, b) => a + b, 0), 1);
    text += ADDITION_CHARS[row.indexOf(1)];
  }
  return text;
}

describe('addition RNN task', () => {
  before(setupBackend);

  it('counts its parameters by hand', () => {
    // SimpleRNN 32: encoder 12·32 + 32·32 + 32, decoder 32·32 + 32·32 + 32, output 32·12 + 12.
    assert.equal(new RnnFamily({ cell: 'simple', units: 32, digits: 3, batchSize: 128 }).sizeOf(2).coordinates, 2 * (1440 + 2080 + 396));
    // GRU 32: three gates each.
    assert.deepEqual(rnnShapes({ cell: 'gru', units: 32 }), [[12, 96], [32, 96], [96], [32, 96], [32, 96], [96], [32, 12], [12]]);
    assert.throws(() => new RnnFamily({ cell: 'lstm' as 'gru', units: 4, digits: 2, batchSize: 8 }), /unknown cell 'lstm': use simple or gru/);
    assert.throws(() => new RnnFamily({ cell: 'gru', units: 0, digits: 2, batchSize: 8 }), /rnn units must be an integer in 1..1024, got 0/);
  });

  it('is the same distribution after a round trip through its spec (how worker threads rebuild it)', () => {
    const family = new RnnFamily(small('gru'));
    const rebuilt = familyFromSpec(familySpec(family), null);
    const [a, b] = [family.sample(new Rng(5), 1), rebuilt.sample(new Rng(5), 1)];
    const theta = a.init(new Rng(6));
    assert.deepEqual(b.init(new Rng(6)), theta);
    assert.deepEqual(b.lossAndGrad(theta, 2), a.lossAndGrad(theta, 2));
    a.dispose();
    b.dispose?.();
  });

  it('encodes sums and their results, padded with spaces', () => {
    const { input, output } = additionLengths(3);
    assert.deepEqual([input, output], [7, 4]);
    const { x, y } = additionBatch(new Rng(5), 50, 3);
    for (let i = 0; i < 50; i++) {
      const question = decode(x, i * input, input);
      const answer = decode(y, i * output, output);
      const [a, b] = question.trim().split('+').map(Number);
      assert.ok(a < 1000 && b < 1000, question);
      assert.equal(question, `${a}+${b}`.padEnd(7, ' '));
      assert.equal(answer, String(a + b).padEnd(4, ' '));
    }
  });

  for (const cell of ['simple', 'gru'] as const) {
    it(`${cell}: equals tfjs-layers' model (encoder, RepeatVector, decoder, time-distributed softmax) with the same weights`, () => {
      const config = small(cell, 5, 3);
      const task = new RnnFamily(config).sample(new Rng(1), 1);
      const theta = task.init(new Rng(2)).map((v, i) => v + 0.05 * Math.sin(i));
      const ours = tf.tidy(() => task.loss(paramTensors(theta, task.paramShapes), 4).dataSync()[0]);
      const { input, output } = additionLengths(config.digits);
      const rnn = cell === 'gru' ? (args: Parameters<typeof tf.layers.gru>[0]) => tf.layers.gru({ ...args, recurrentActivation: 'sigmoid' }) : tf.layers.simpleRNN;
      const model = tf.sequential({
        layers: [
          rnn({ units: 5, inputShape: [input, 12] }),
          tf.layers.repeatVector({ n: output }),
          rnn({ units: 5, returnSequences: true }),
          tf.layers.timeDistributed({ layer: tf.layers.dense({ units: 12 }) }),
        ],
      });
      const weights = paramTensors(theta, rnnShapes(config));
      model.setWeights(weights);
      // The same minibatch the task draws for step 4: member 0 of the 'minibatches' → 'step4' stream.
      const sums = additionBatch(new Rng(1).child('minibatches').child('step4').child(0), 3, config.digits);
      const theirs = tf.tidy(() => {
        const z = model.predict(tf.tensor3d(sums.x, [3, input, 12])) as tf.Tensor3D;
        return z.logSoftmax().mul(tf.tensor3d(sums.y, [3, output, 12])).sum(2).mean().neg().dataSync()[0];
      });
      assertClose([ours], [theirs], { rtol: 1e-5 });
      tf.dispose(weights);
      model.dispose();
      task.dispose();
    });

    it(`${cell}: each member's gradient is that of its own loss: equal to autodiff of all members at once, and to finite differences`, () => {
      const task = new RnnFamily(small(cell)).sample(new Rng(3), 2);
      const theta = task.init(new Rng(4)).map((x) => x * 2);
      assert.equal(theta.length, numCoordinates(task));
      const own = task.lossAndGrad(theta, 5);
      const auto = autodiffLossAndGrad(task, theta, 5);
      assertClose(own.losses, auto.losses, { rtol: 1e-5 });
      assertClose(own.grad, auto.grad, { rtol: 1e-3, atol: 1e-6 });
      const eps = 3e-3;
      // An entry of member 1's encoder recurrent kernel (after both members' input kernels).
      const gates = cell === 'gru' ? 3 : 1;
      const index = 2 * 12 * 4 * gates + 4 * 4 * gates + 7;
      const bump = (sign: number) => {
        const moved = theta.slice();
        moved[index] += sign * eps;
        return tf.tidy(() => task.loss(paramTensors(moved, task.paramShapes), 5).sum().dataSync()[0]);
      };
      assert.ok(Math.abs(own.grad[index]) > 1e-4, `gradient ${own.grad[index]}`);
      assertClose([own.grad[index]], [(bump(1) - bump(-1)) / (2 * eps)], { rtol: 2e-2, atol: 2e-4, label: 'finite difference' });
      task.dispose();
    });
  }

  it('starts near chance level (ln 12), SGD lowers the loss, the same seed draws the same sums, and dispose leaves no tensors', () => {
    const before = tf.memory().numTensors;
    const family = new RnnFamily(small('simple', 16, 64));
    const a = family.sample(new Rng(7), 1);
    const b = family.sample(new Rng(7), 1);
    const theta = a.init(new Rng(8));
    assert.deepEqual(a.lossAndGrad(theta, 3).grad, b.lossAndGrad(theta, 3).grad);
    const first = a.lossAndGrad(theta, 0).losses[0];
    assert.ok(Math.abs(first - Math.log(12)) < 0.3, `loss ${first}`);
    for (let step = 0; step < 60; step++) {
      const { grad } = a.lossAndGrad(theta, step);
      for (let i = 0; i < theta.length; i++) theta[i] -= 0.5 * grad[i];
    }
    const last = a.lossAndGrad(theta, 60).losses[0];
    assert.ok(last < first - 0.5, `${first} → ${last}`);
    const metrics = a.finalMetrics(theta);
    assert.ok(metrics.accuracy[0] > 0.2 && metrics.accuracy[0] <= 1 && Math.abs(metrics.fullLoss[0] - last) < 0.3, JSON.stringify(metrics));
    a.dispose();
    b.dispose();
    assert.equal(tf.memory().numTensors, before);
  });
});
