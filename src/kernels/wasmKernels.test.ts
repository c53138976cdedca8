import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../backend/backend.ts';
import { WASM_GRADIENT_KERNELS } from './wasmKernels.ts';

/** Deterministic values in [−1, 1) from a small LCG. */
function values(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

/** Runs `f` on `backend` and returns its outputs as arrays. */
async function on(backend: 'cpu' | 'wasm', f: () => tf.Tensor[]): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  return tf.tidy(f).map((t) => {
    const data = t.dataSync() as Float32Array;
    t.dispose();
    return Float32Array.from(data);
  });
}

/** Asserts both backends agree to float32 rounding of sums. */
function assertClose(wasm: Float32Array[], cpu: Float32Array[]): void {
  assert.equal(wasm.length, cpu.length);
  for (let k = 0; k < cpu.length; k++) {
    assert.equal(wasm[k].length, cpu[k].length);
    for (let i = 0; i < cpu[k].length; i++) {
      assert.ok(Math.abs(wasm[k][i] - cpu[k][i]) <= 1e-4 * (1 + Math.abs(cpu[k][i])), `output ${k}[${i}]: wasm ${wasm[k][i]}, cpu ${cpu[k][i]}`);
    }
  }
}

/** Gradients of Σ w·op(x, filter) with respect to x and filter, w fixed random weights. */
function convGrads(op: (x: tf.Tensor4D, w: tf.Tensor4D) => tf.Tensor4D, xShape: number[], wShape: number[]): () => tf.Tensor[] {
  return () => {
    const x = tf.tensor(values(xShape.reduce((a, b) => a * b), 1), xShape as [number, number, number, number]) as tf.Tensor4D;
    const w = tf.tensor(values(wShape.reduce((a, b) => a * b), 2), wShape as [number, number, number, number]) as tf.Tensor4D;
    const yShape = op(x, w).shape;
    const weights = tf.tensor(values(yShape.reduce((a, b) => a * b), 3), yShape);
    const g = tf.grads((a: tf.Tensor, b: tf.Tensor) => op(a as tf.Tensor4D, b as tf.Tensor4D).mul(weights).sum());
    return g([x, w]);
  };
}

describe('wasm gradient kernels', () => {
  before(async () => {
    await initBackend('wasm');
  });

  it('are registered for wasm by initBackend', () => {
    for (const name of Object.keys(WASM_GRADIENT_KERNELS)) assert.ok(tf.getKernel(name, 'wasm'), name);
  });

  const convCases: [string, (x: tf.Tensor4D, w: tf.Tensor4D) => tf.Tensor4D, number[], number[]][] = [
    ['conv2d same stride 1', (x, w) => tf.conv2d(x, w, 1, 'same'), [2, 6, 5, 3], [3, 3, 3, 4]],
    ['conv2d valid stride 2', (x, w) => tf.conv2d(x, w, 2, 'valid'), [2, 7, 7, 2], [3, 2, 2, 3]],
    ['conv2d same stride 2, even filter (uneven padding)', (x, w) => tf.conv2d(x, w, 2, 'same'), [1, 6, 7, 2], [2, 4, 2, 2]],
    ['depthwise same, multiplier 2', (x, w) => tf.depthwiseConv2d(x, w, 1, 'same'), [2, 5, 6, 3], [3, 3, 3, 2]],
    ['depthwise valid stride 2', (x, w) => tf.depthwiseConv2d(x, w, 2, 'valid'), [1, 7, 6, 2], [3, 3, 2, 1]],
  ];
  for (const [name, op, xShape, wShape] of convCases) {
    it(`${name}: ∂/∂x and ∂/∂W equal the cpu backend's`, async () => {
      const cpu = await on('cpu', convGrads(op, xShape, wShape));
      const wasm = await on('wasm', convGrads(op, xShape, wShape));
      assertClose(wasm, cpu);
    });
  }

  const poolCases: [string, (x: tf.Tensor4D) => tf.Tensor4D][] = [
    ['2×2 stride 2 after a ReLU (tied zeros)', (x) => tf.maxPool(tf.relu(x), 2, 2, 'valid')],
    ['3×3 stride 1 same (overlapping windows)', (x) => tf.maxPool(x, 3, 1, 'same')],
    ['3×3 stride 2 valid on an odd size', (x) => tf.maxPool(x, 3, 2, 'valid')],
  ];
  for (const [name, pool] of poolCases) {
    it(`maxPool ${name}: ∂/∂x equals the cpu backend's`, async () => {
      const f = () => {
        const x = tf.tensor4d(values(2 * 7 * 6 * 3, 11), [2, 7, 6, 3]);
        const yShape = pool(x).shape;
        const weights = tf.tensor(values(yShape.reduce((a, b) => a * b), 12), yShape);
        return [tf.grad((v: tf.Tensor) => pool(v as tf.Tensor4D).mul(weights).sum())(x)];
      };
      assertClose(await on('wasm', f), await on('cpu', f));
    });
  }

  it('maxPool ∂/∂x on a hand-worked case: the gradient goes to the first of tied maxima', async () => {
    const [dx] = await on('wasm', () => [tf.grad((v: tf.Tensor) => tf.maxPool(v as tf.Tensor4D, 2, 2, 'valid').sum())(tf.tensor4d([2, 0, 5, 5, 2, 1, 5, 0], [1, 2, 4, 1]))]);
    assert.deepEqual(Array.from(dx), [1, 0, 1, 0, 0, 0, 0, 0]);
  });

  it('conv2d ∂/∂W on a hand-worked case: a 1×1 filter sums x·dy over positions', async () => {
    const [, dw] = await on('wasm', () => {
      const x = tf.tensor4d([1, 2, 3, 4], [1, 2, 2, 1]);
      const w = tf.tensor4d([5], [1, 1, 1, 1]);
      return tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'valid').sum())([x, w]);
    });
    assert.deepEqual(Array.from(dw), [10]);
  });

  it('gather ∂/∂params (UnsortedSegmentSum) equals the cpu backend\'s, repeated indices summed', async () => {
    const f = () => {
      const table = tf.tensor2d(values(15, 4), [5, 3]);
      const ids = tf.tensor1d([4, 0, 4, 2, 4], 'int32');
      const weights = tf.tensor2d(values(15, 5), [5, 3]);
      return [tf.grad((t: tf.Tensor) => tf.gather(t, ids).mul(weights).sum())(table)];
    };
    const cpu = await on('cpu', f);
    const wasm = await on('wasm', f);
    assertClose(wasm, cpu);
    const [hand] = await on('wasm', () => [tf.grad((t: tf.Tensor) => tf.gather(t, tf.tensor1d([1, 1, 0], 'int32')).sum())(tf.zeros([3, 2]))]);
    assert.deepEqual(Array.from(hand), [1, 1, 2, 2, 0, 0]);
  });

  it('train a tfjs-layers convnet and an embedding model with model.fit', async () => {
    await tf.setBackend('wasm');
    const conv = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [8, 8, 1], filters: 4, kernelSize: 3, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
        tf.layers.maxPooling2d({ poolSize: 2 }),
        tf.layers.separableConv2d({ filters: 3, kernelSize: 2, depthwiseInitializer: tf.initializers.glorotUniform({ seed: 2 }), pointwiseInitializer: tf.initializers.glorotUniform({ seed: 3 }) }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 2, kernelInitializer: tf.initializers.glorotUniform({ seed: 4 }) }),
      ],
    });
    conv.compile({ optimizer: tf.train.sgd(0.1), loss: 'meanSquaredError' });
    const x = tf.tensor4d(values(4 * 64, 6), [4, 8, 8, 1]);
    const y = tf.tensor2d(values(8, 7), [4, 2]);
    const history = await conv.fit(x, y, { epochs: 5, batchSize: 4, shuffle: false, verbose: 0 });
    const losses = history.history.loss as number[];
    assert.ok(losses[4] < losses[0], `convnet loss ${losses}`);

    const embed = tf.sequential({
      layers: [tf.layers.embedding({ inputDim: 10, outputDim: 4, inputLength: 3, embeddingsInitializer: tf.initializers.randomUniform({ minval: -0.1, maxval: 0.1, seed: 8 }) }), tf.layers.flatten(), tf.layers.dense({ units: 1, kernelInitializer: tf.initializers.glorotUniform({ seed: 9 }) })],
    });
    embed.compile({ optimizer: tf.train.sgd(0.1), loss: 'meanSquaredError' });
    const ids = tf.tensor2d([1, 2, 3, 4, 5, 6, 7, 8, 9, 1, 1, 1], [4, 3]);
    const target = tf.tensor2d([1, -1, 0.5, 0], [4, 1]);
    const embedHistory = await embed.fit(ids, target, { epochs: 5, batchSize: 4, shuffle: false, verbose: 0 });
    const embedLosses = embedHistory.history.loss as number[];
    assert.ok(embedLosses[4] < embedLosses[0], `embedding loss ${embedLosses}`);
    tf.dispose([x, y, ids, target]);
    conv.dispose();
    embed.dispose();
  });
});
