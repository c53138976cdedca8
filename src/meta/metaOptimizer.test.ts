import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertClose } from '../testing/setup.ts';
import { applyIfFinite, chain, clipByGlobalNorm, globalNorm, metaOptimizer, metaStep, scaleByAdam, scaleByLearningRate } from './metaOptimizer.ts';

describe('meta-optimizer transforms', () => {
  it('clipByGlobalNorm scales [3, 4] (norm 5) to norm 1 and leaves short vectors alone; 0 never clips', () => {
    const clip = clipByGlobalNorm(1);
    const u = Float64Array.of(3, 4);
    clip.update(u, {}, { learningRate: 0 });
    assertClose(u, [0.6, 0.8]);
    const short = Float64Array.of(0.3, 0.4);
    clip.update(short, {}, { learningRate: 0 });
    assertClose(short, [0.3, 0.4]);
    const off = Float64Array.of(3, 4);
    clipByGlobalNorm(0).update(off, {}, { learningRate: 0 });
    assertClose(off, [3, 4]);
    assert.equal(globalNorm([3, 4]), 5);
  });

  it("scaleByAdam: the first step is the gradient's sign, the second worked out by hand", () => {
    const adam = scaleByAdam();
    const state = adam.init(2);
    const u1 = Float64Array.of(0.5, -1);
    adam.update(u1, state, { learningRate: 0 });
    assertClose(u1, [1, -1], { rtol: 1e-6 });
    // m2 = 0.09·g1 + 0.1·g2 = [−0.055, 0.11], m̂ = m2/0.19; v2 = 0.000999·g1² + 0.001·g2², v̂ = v2/0.001999;
    // m̂/√v̂ = [−0.366104, 0.366104].
    const u2 = Float64Array.of(-1, 2);
    adam.update(u2, state, { learningRate: 0 });
    assertClose(u2, [-0.366104, 0.366104], { rtol: 1e-5 });
    assert.equal(state.count, 2);
  });

  it('scaleByLearningRate makes a descent step of the rate given with the step', () => {
    const u = Float64Array.of(1, -2);
    scaleByLearningRate().update(u, {}, { learningRate: 0.5 });
    assertClose(u, [-0.5, 1]);
  });

  it('applyIfFinite skips a step with a NaN or infinity, counts it, and leaves the inner state as it was', () => {
    const t = applyIfFinite(chain(clipByGlobalNorm(0), scaleByAdam(), scaleByLearningRate()));
    const state = t.init(2);
    assert.equal(t.update(Float64Array.of(NaN, 1), state, { learningRate: 1 }), false);
    assert.equal(t.update(Float64Array.of(Infinity, 1), state, { learningRate: 1 }), false);
    assert.equal(state.notFinite, 2);
    assert.equal(state.inner[1].count, 0);
    assert.deepEqual(Array.from(state.inner[1].m), [0, 0]);
    assert.equal(t.update(Float64Array.of(1, 1), state, { learningRate: 1 }), true);
    assert.equal(state.inner[1].count, 1);
  });

  it('the meta-optimizer is Adam on the clipped gradient: φ moves by −lr·sign on the first step, not at all on a NaN', () => {
    const transform = metaOptimizer(1);
    const state = transform.init(3);
    const phi = Float32Array.of(1, 2, 3);
    assert.ok(metaStep(transform, phi, Float32Array.of(30, -40, 0), state, { learningRate: 0.1 }));
    // Clipped to [0.6, −0.8, 0]; Adam's first step is its sign (0 stays 0): Δ = −0.1·[1, −1, 0].
    assertClose(phi, [0.9, 2.1, 3], { rtol: 1e-6 });
    assert.equal(metaStep(transform, phi, Float32Array.of(NaN, 0, 0), state, { learningRate: 0.1 }), false);
    assertClose(phi, [0.9, 2.1, 3], { rtol: 1e-6 });
  });
});
