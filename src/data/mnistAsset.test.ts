import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeMnistAsset, MnistAssetError, parseMnistAsset } from './mnistAsset.ts';
import { MNIST_PIXELS, type MnistSplit } from './mnistSplit.ts';

/** Three images with pixel bytes 0, 1, …, 255, 0, … and labels 7, 0, 9. */
function tinySplit(): MnistSplit {
  const pixels = Uint8Array.from({ length: 3 * MNIST_PIXELS }, (_, i) => i % 256);
  return { pixels, labels: Uint8Array.from([7, 0, 9]), count: 3 };
}

describe('MNIST web asset', () => {
  it('round-trips pixels and labels exactly, and its size is 16 + 785 bytes per image', () => {
    const bytes = encodeMnistAsset(tinySplit(), 2);
    assert.equal(bytes.length, 16 + 2 * 785);
    const back = parseMnistAsset(bytes);
    assert.equal(back.count, 2);
    assert.deepEqual([...back.labels], [7, 0]);
    assert.deepEqual(back.pixels, tinySplit().pixels.subarray(0, 2 * MNIST_PIXELS));
  });

  it('rejects a wrong header, a truncated file and a bad label with a message naming the problem', () => {
    const bytes = encodeMnistAsset(tinySplit());
    assert.throws(() => parseMnistAsset(new TextEncoder().encode('<!doctype html>')), (e: unknown) => e instanceof MnistAssetError && /no 'L2LMNIST' header/.test(e.message));
    assert.throws(() => parseMnistAsset(bytes.subarray(0, bytes.length - 1)), /truncated or corrupt/);
    const corrupt = bytes.slice();
    corrupt[corrupt.length - 1] = 12;
    assert.throws(() => parseMnistAsset(corrupt), /label 12 at image 2/);
    const future = bytes.slice();
    future[8] = 2;
    assert.throws(() => parseMnistAsset(future), /version 2 is not supported/);
  });
});
