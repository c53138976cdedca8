import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Rng } from './rng.ts';

describe('Rng', () => {
  it('gives the same numbers for the same seed and different ones for another seed', () => {
    const a = new Rng(42).normalArray(5);
    assert.deepEqual(new Rng(42).normalArray(5), a);
    assert.notDeepEqual(new Rng(43).normalArray(5), a);
  });

  it('derives children from the seed alone, not from earlier draws', () => {
    const fresh = new Rng(1);
    const used = new Rng(1);
    used.normalArray(100);
    assert.deepEqual(used.child('x').uniformArray(4), fresh.child('x').uniformArray(4));
    assert.notDeepEqual(fresh.child('x').uniformArray(4), fresh.child('y').uniformArray(4));
  });

  it('resumes exactly from a saved state', () => {
    const rng = new Rng(9);
    rng.uniformArray(7);
    const copy = Rng.fromState(rng.getState());
    assert.deepEqual(copy.uniformArray(10), rng.uniformArray(10));
  });

  it('draws uniforms in [0, 1) and normals with mean 0 and variance 1', () => {
    const rng = new Rng(3);
    const u = rng.uniformArray(20000);
    assert.ok(u.every((x) => x >= 0 && x < 1));
    const n = rng.normalArray(20000);
    const mean = n.reduce((s, x) => s + x, 0) / n.length;
    const variance = n.reduce((s, x) => s + (x - mean) ** 2, 0) / n.length;
    // Standard errors: 1/√20000 ≈ 0.007 for the mean, ≈ 0.01 for the variance.
    assert.ok(Math.abs(mean) < 0.03, `mean ${mean}`);
    assert.ok(Math.abs(variance - 1) < 0.05, `variance ${variance}`);
  });
});
