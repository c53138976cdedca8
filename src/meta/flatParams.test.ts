import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { adam } from '../optimizers/adam.ts';
import { step } from '../optimizers/optimizer.ts';
import { Rng } from '../random/rng.ts';
import { setupBackend } from '../testing/setup.ts';
import { joinedStep, joinState, joinTensors, splitState, splitTensor } from './flatParams.ts';
import { applyMetaGradient } from './metaTrain.ts';

const SHAPES = [[2, 3], [4], [1, 1]];

function tensors(seed: number): tf.Tensor[] {
  const rng = new Rng(seed);
  return SHAPES.map((shape) => tf.tensor(rng.normalArray(shape.reduce((a, b) => a * b, 1)), shape));
}

const values = (ts: tf.Tensor[]) => ts.map((t) => Array.from(t.dataSync()));

describe('φ joined into one vector', () => {
  before(setupBackend);

  it('joins in order and splits back into the same shapes and values', () => {
    const list = tensors(1);
    const joined = joinTensors(list);
    assert.deepEqual(joined.shape, [11]);
    assert.deepEqual(Array.from(joined.dataSync()), values(list).flat());
    const back = splitTensor(joined, SHAPES);
    assert.deepEqual(back.map((t) => t.shape), SHAPES);
    assert.deepEqual(values(back), values(list));
  });

  it('Adam on the joined vector gives the same φ and state as Adam on the list, step after step', () => {
    const optimizer = adam(0.1);
    let listParams = tensors(2);
    let listState = optimizer.init(listParams);
    let joinedParams = listParams.map((p) => p.clone());
    let joinedState = joinState(optimizer.init(joinedParams));
    for (let t = 0; t < 3; t++) {
      const grads = tensors(10 + t);
      ({ params: listParams, state: listState } = step(optimizer, listParams, grads, listState));
      ({ params: joinedParams, state: joinedState } = joinedStep(optimizer, joinedParams, joinTensors(grads), joinedState, SHAPES));
    }
    assert.deepEqual(values(joinedParams), values(listParams));
    const split = splitState(joinedState, SHAPES);
    assert.equal(split.count, 3);
    for (const slot of ['m', 'v']) assert.deepEqual(values(split.slots[slot]), values(listState.slots[slot]), slot);
  });

  it('the meta-update clips the joined gradient by its global norm and refuses a non-finite one', () => {
    const optimizer = adam(0.1);
    const phi = tensors(3);
    const state = joinState(optimizer.init(phi));
    // g = (3, 4, 0, …): norm 5, clipped to norm 1 → Adam's first step is −lr·sign(g) wherever g ≠ 0.
    const grads = SHAPES.map((shape, i) => tf.tensor(i === 0 ? [3, 4, 0, 0, 0, 0] : new Array(shape.reduce((a, b) => a * b, 1)).fill(0), shape));
    const next = applyMetaGradient(optimizer, phi.map((p) => p.clone()), grads, state, 1)!;
    const moved = values(next.params)[0].map((v, j) => v - values(phi)[0][j]);
    [-0.1, -0.1, 0, 0, 0, 0].forEach((d, j) => assert.ok(Math.abs(moved[j] - d) < 1e-6, `coordinate ${j}: ${moved[j]}`));
    // m after one step is (1 − β1)·clipped g: (0.06, 0.08) from the clipped (0.6, 0.8).
    const m = next.state.slots.m[0].dataSync();
    assert.ok(Math.abs(m[0] - 0.06) < 1e-7 && Math.abs(m[1] - 0.08) < 1e-7, `m = ${m[0]}, ${m[1]}`);
    const bad = grads.map((g, i) => (i === 1 ? tf.fill(g.shape, NaN) : g));
    assert.equal(applyMetaGradient(optimizer, next.params, bad, next.state, 1), null);
  });
});
