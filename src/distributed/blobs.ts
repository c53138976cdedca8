/**
 * Binary blobs of named float arrays and a small JSON header, for what the learner and the
 * workers keep in Redis: φ of each meta-step and each group's optimizee state between
 * truncations (a JSON encoding of MNIST's 1.3 million state floats would be 15 MB and lose
 * time; this is 5 MB, exact).
 *
 *   [u32 header length][header: JSON { meta, arrays: [[name, length], …] }][float32 values, little-endian]
 *
 * Decoding checks that the lengths the header claims add up to the bytes present before it
 * allocates anything.
 */
import type { SavedState } from '../optimizers/optimizer.ts';
import type { RowStates } from '../engine/engine.ts';
import type { SavedOptimizee } from '../meta/truncation.ts';

/** A blob's contents: JSON-able metadata and named float arrays. */
export interface BlobContents {
  meta: Record<string, unknown>;
  arrays: Array<[string, Float32Array]>;
}

/** The blob of `contents`. */
export function encodeBlob({ meta, arrays }: BlobContents): Buffer {
  const header = Buffer.from(JSON.stringify({ meta, arrays: arrays.map(([name, values]) => [name, values.length]) }), 'utf8');
  const floats = arrays.reduce((n, [, values]) => n + values.length, 0);
  const out = Buffer.alloc(4 + header.length + 4 * floats);
  out.writeUInt32LE(header.length, 0);
  header.copy(out, 4);
  let offset = 4 + header.length;
  for (const [, values] of arrays) {
    Buffer.from(values.buffer, values.byteOffset, values.byteLength).copy(out, offset);
    offset += values.byteLength;
  }
  return out;
}

/** The contents of a blob; throws on a blob whose header does not match its size. */
export function decodeBlob(blob: Buffer): BlobContents {
  const bad = (why: string) => new Error(`corrupt state blob: ${why}`);
  if (blob.length < 4) throw bad('shorter than its header length');
  const headerLength = blob.readUInt32LE(0);
  if (4 + headerLength > blob.length) throw bad('its header runs past its end');
  let header: { meta?: unknown; arrays?: unknown };
  try {
    header = JSON.parse(blob.subarray(4, 4 + headerLength).toString('utf8'));
  } catch {
    throw bad('its header is not JSON');
  }
  const list = header.arrays;
  if (!Array.isArray(list) || !list.every((e) => Array.isArray(e) && typeof e[0] === 'string' && Number.isInteger(e[1]) && e[1] >= 0)) throw bad('its array list is invalid');
  const floats = (list as Array<[string, number]>).reduce((n, [, length]) => n + length, 0);
  if (4 + headerLength + 4 * floats !== blob.length) throw bad(`its header claims ${floats} floats, it holds ${(blob.length - 4 - headerLength) / 4}`);
  const payload = new Float32Array(floats);
  Buffer.from(payload.buffer).set(blob.subarray(4 + headerLength));
  let offset = 0;
  const arrays = (list as Array<[string, number]>).map(([name, length]): [string, Float32Array] => [name, payload.subarray(offset, (offset += length))]);
  return { meta: (header.meta ?? {}) as Record<string, unknown>, arrays };
}

/** A single float array as a blob. */
export function encodeFloats(values: Float32Array): Buffer {
  return encodeBlob({ meta: {}, arrays: [['values', values]] });
}

/** The float array of `encodeFloats`. */
export function decodeFloats(blob: Buffer): Float32Array {
  const { arrays } = decodeBlob(blob);
  if (arrays.length !== 1) throw new Error('corrupt state blob: expected one array');
  return arrays[0][1];
}

function savedStateArrays(prefix: string, saved: SavedState | null | undefined): Array<[string, Float32Array]> {
  return saved ? Object.entries(saved.arrays).map(([k, v]) => [`${prefix}.${k}`, v]) : [];
}

/** An optimizee state (θ, the LSTM's states, the base step's and teacher's, the step, the last gradient) as a blob. */
export function encodeOptimizee(saved: SavedOptimizee): Buffer {
  const { lstm } = saved;
  return encodeBlob({
    meta: { step: saved.step, count: lstm.count, layers: lstm.h.length, base: saved.base?.count ?? null, teacher: saved.teacher?.count ?? null },
    arrays: [
      ['theta', saved.theta],
      ...lstm.h.map((h, l): [string, Float32Array] => [`h${l}`, h]),
      ...lstm.c.map((c, l): [string, Float32Array] => [`c${l}`, c]),
      ...(lstm.m && lstm.v ? ([['m', lstm.m], ['v', lstm.v]] as Array<[string, Float32Array]>) : []),
      ...(saved.grad ? ([['grad', saved.grad]] as Array<[string, Float32Array]>) : []),
      ...savedStateArrays('base', saved.base),
      ...savedStateArrays('teacher', saved.teacher),
    ],
  });
}

/** The optimizee state of `encodeOptimizee`. */
export function decodeOptimizee(blob: Buffer): SavedOptimizee {
  const { meta, arrays } = decodeBlob(blob);
  const named = new Map(arrays);
  const get = (name: string) => {
    const values = named.get(name);
    if (!values) throw new Error(`corrupt state blob: no '${name}'`);
    return values;
  };
  const layers = Number(meta.layers);
  const lstm: RowStates = {
    count: Number(meta.count),
    h: Array.from({ length: layers }, (_, l) => get(`h${l}`)),
    c: Array.from({ length: layers }, (_, l) => get(`c${l}`)),
    ...(named.has('m') ? { m: get('m'), v: get('v') } : {}),
  };
  const part = (prefix: string, count: unknown): SavedState | null =>
    count === null || count === undefined ? null : { count: Number(count), arrays: Object.fromEntries(arrays.filter(([k]) => k.startsWith(`${prefix}.`)).map(([k, v]) => [k.slice(prefix.length + 1), v])) };
  const teacher = part('teacher', meta.teacher);
  return {
    theta: get('theta'),
    lstm,
    base: part('base', meta.base),
    ...(teacher ? { teacher } : {}),
    step: Number(meta.step),
    grad: named.get('grad') ?? null,
  };
}
