import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { adam } from '../optimizers/adam.ts';
import { step } from '../optimizers/optimizer.ts';
import { Rng } from '../random/rng.ts';
import { assertClose, setupBackend } from '../testing/setup.ts';
import { initMetaAdam, joinValues, metaAdamFromOptState, metaAdamStep, metaAdamToOptState, splitValues } from './flatParams.ts';
import { applyMetaGradient } from './metaTrain.ts';

const SHAPES = [[2, 3], [4], [1, 1]];

function tensors(seed: number): tf.Tensor[] {
  const rng = new Rng(seed);
  return SHAPES.map((shape) => tf.tensor(rng.normalArray(shape.reduce((a, b) => a * b, 1)), shape));
}

const values = (ts: tf.Tensor[]) => ts.map((t) => Array.from(t.dataSync()));

describe('the meta-optimizer on φ as one flat array', () => {
  before(setupBackend);

  it('joins in order and splits back into the same shapes and values', () => {
    const list = tensors(1);
    const joined = joinValues(list);
    assert.deepEqual(Array.from(joined), values(list).flat());
    const back = splitValues(joined, SHAPES);
    assert.deepEqual(back.map((t) => t.shape), SHAPES);
    assert.deepEqual(values(back), values(list));
  });

  it('Adam on the flat array gives the φ and state of Adam on the tensors (optimizers/adam.ts), step after step', () => {
    const optimizer = adam(0.1);
    let listParams = tensors(2);
    let listState = optimizer.init(listParams);
    const flat = joinValues(listParams);
    const state = initMetaAdam(flat.length);
    for (let t = 0; t < 3; t++) {
      const grads = tensors(10 + t);
      ({ params: listParams, state: listState } = step(optimizer, listParams, grads, listState));
      assert.ok(metaAdamStep(flat, joinValues(grads), state, 0.1, 0));
    }
    // The same formulas; float32 tensors round after every op, the flat step once per stored value.
    assertClose(flat, values(listParams).flat(), { rtol: 1e-6, atol: 1e-6, label: 'phi' });
    const asOptState = metaAdamToOptState(state, SHAPES);
    assert.equal(asOptState.count, 3);
    for (const slot of ['m', 'v']) assertClose(values(asOptState.slots[slot]).flat(), values(listState.slots[slot]).flat(), { rtol: 1e-6, atol: 1e-8, label: slot });
    // Through a checkpoint's OptState and back, exactly.
    const back = metaAdamFromOptState(asOptState);
    assert.equal(back.count, 3);
    assert.deepEqual([Array.from(back.m), Array.from(back.v)], [Array.from(state.m), Array.from(state.v)]);
  });

  it('the meta-update clips the joined gradient by its global norm and refuses a non-finite one', () => {
    const phi = tensors(3);
    const before = values(phi);
    const state = initMetaAdam(11);
    // g = (3, 4, 0, …): norm 5, clipped to norm 1 → Adam's first step is −lr·sign(g) wherever g ≠ 0.
    const grads = SHAPES.map((shape, i) => tf.tensor(i === 0 ? [3, 4, 0, 0, 0, 0] : new Array(shape.reduce((a, b) => a * b, 1)).fill(0), shape));
    const next = applyMetaGradient(phi, grads, state, 0.1, 1)!;
    assert.equal(phi[0].isDisposed, true, 'the old φ is disposed');
    const moved = values(next)[0].map((v, j) => v - before[0][j]);
    [-0.1, -0.1, 0, 0, 0, 0].forEach((d, j) => assert.ok(Math.abs(moved[j] - d) < 1e-6, `coordinate ${j}: ${moved[j]}`));
    // m after one step is (1 − β1)·clipped g: (0.06, 0.08) from the clipped (0.6, 0.8).
    assert.ok(Math.abs(state.m[0] - 0.06) < 1e-7 && Math.abs(state.m[1] - 0.08) < 1e-7, `m = ${state.m[0]}, ${state.m[1]}`);
    const bad = grads.map((g, i) => (i === 1 ? tf.fill(g.shape, NaN) : g));
    const [m, count] = [Array.from(state.m), state.count];
    assert.equal(applyMetaGradient(next, bad, state, 0.1, 1), null);
    assert.deepEqual([Array.from(state.m), state.count], [m, count], 'a refused step changes nothing');
    assert.equal(next[0].isDisposed, false);
  });
});
