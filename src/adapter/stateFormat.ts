/**
 * How the adapter stores a learned optimizer's per-coordinate state when a model is saved with
 * its optimizer (`model.save(…, { includeOptimizer: true })`, `getWeights`). The paper's LSTM
 * keeps 80 floats per parameter (h and c of two layers of 20 units):
 *
 * - 'float32' (default): exact, 320 bytes per parameter; a reloaded model continues bit for bit.
 * - 'bfloat16': each value rounded to its upper 16 bits (8-bit mantissa, float32's range), two
 *   per int32 — 160 bytes per parameter; the state comes back within 2⁻⁹ relative.
 * - 'none': only the step count; a reloaded optimizer starts its LSTM states afresh (0 bytes per
 *   parameter), as on a variable it has never seen.
 */

/** One of the formats above. */
export type StateFormat = 'float32' | 'bfloat16' | 'none';

/** The formats, for validation. */
export const STATE_FORMATS: readonly StateFormat[] = ['float32', 'bfloat16', 'none'];

/** The values rounded to bfloat16 (to nearest, ties to even), packed two per int32 (the first in the low half). */
export function packBfloat16(values: Float32Array): Int32Array {
  const bits = new Uint32Array(values.buffer, values.byteOffset, values.length);
  const out = new Uint32Array(Math.ceil(values.length / 2));
  for (let i = 0; i < values.length; i++) {
    const x = bits[i];
    // NaN stays NaN (a quiet NaN's upper half); others round to nearest even on the dropped 16 bits.
    const half = (x & 0x7fffffff) > 0x7f800000 ? (x >>> 16) | 0x40 : (x + 0x7fff + ((x >>> 16) & 1)) >>> 16;
    out[i >> 1] |= (half & 0xffff) << (i & 1 ? 16 : 0);
  }
  return new Int32Array(out.buffer);
}

/** `length` float32 values from `packBfloat16`'s output. */
export function unpackBfloat16(packed: Int32Array, length: number): Float32Array {
  if (packed.length !== Math.ceil(length / 2)) throw new Error(`bfloat16 state holds ${packed.length * 2} values, expected ${length}`);
  const words = new Uint32Array(packed.buffer, packed.byteOffset, packed.length);
  const bits = new Uint32Array(length);
  for (let i = 0; i < length; i++) bits[i] = ((words[i >> 1] >>> (i & 1 ? 16 : 0)) & 0xffff) << 16;
  return new Float32Array(bits.buffer);
}
