/**
 * MNIST in memory, independent of where it came from: the IDX files in Node (`mnist.ts`) or
 * the compact asset a web page fetches (`mnistAsset.ts`). No file system here.
 */

/** Pixels per image. */
export const MNIST_PIXELS = 784;
/** Number of classes. */
export const MNIST_CLASSES = 10;

/** One split of MNIST in memory: a byte per pixel (4× less memory than floats). */
export interface MnistSplit {
  /** Row-major [count, 784] pixel bytes 0–255; networks see byte / 255 (`mnistImages`). */
  pixels: Uint8Array;
  /** [count] labels 0–9. */
  labels: Uint8Array;
  count: number;
}

/** Which split: the 60,000 training or the 10,000 test images. */
export type MnistSplitName = 'train' | 'test';

/** Where a task gets a split from (loaded on first use). */
export type MnistSource = (split: MnistSplitName) => MnistSplit;

/** Images `start` … `start + count − 1` of `split` as floats in [0, 1], row-major [count, 784]. */
export function mnistImages(split: MnistSplit, start: number, count: number, out = new Float32Array(count * MNIST_PIXELS)): Float32Array {
  const bytes = split.pixels.subarray(start * MNIST_PIXELS, (start + count) * MNIST_PIXELS);
  for (let i = 0; i < bytes.length; i++) out[i] = bytes[i] / 255;
  return out;
}
