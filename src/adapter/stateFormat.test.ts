import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { packBfloat16, unpackBfloat16 } from './stateFormat.ts';

describe('bfloat16 state packing', () => {
  it('keeps values exact in bfloat16 and rounds the rest to nearest even, two per int32', () => {
    // 1 + 2⁻⁸ lies between the bfloat16 values 1 and 1 + 2⁻⁷: a tie, rounded to the even 1.
    // 1 + 3·2⁻⁸ is a tie between 1 + 2⁻⁷ and 1 + 2⁻⁶: rounded to the even 1 + 2⁻⁶.
    const values = Float32Array.from([1, -2, 0.15625, 1 + 2 ** -8, 1 + 3 * 2 ** -8, 3.14159, 1e30]);
    const packed = packBfloat16(values);
    assert.equal(packed.length, 4);
    assert.equal(packed[0] & 0xffff, 0x3f80); // 1.0
    assert.equal(packed[0] >>> 16, 0xc000); // −2.0
    const back = unpackBfloat16(packed, values.length);
    assert.deepEqual(Array.from(back.subarray(0, 5)), [1, -2, 0.15625, 1, 1 + 2 ** -6]);
    for (let i = 5; i < values.length; i++) assert.ok(Math.abs(back[i] - values[i]) <= 2 ** -9 * Math.abs(values[i]), `${values[i]} → ${back[i]}`);
  });

  it('keeps infinities and NaN, and refuses a packed array of the wrong length', () => {
    const back = unpackBfloat16(packBfloat16(Float32Array.from([Infinity, -Infinity, NaN])), 3);
    assert.equal(back[0], Infinity);
    assert.equal(back[1], -Infinity);
    assert.ok(Number.isNaN(back[2]));
    assert.throws(() => unpackBfloat16(new Int32Array(3), 3), /holds 6 values, expected 3/);
  });
});
