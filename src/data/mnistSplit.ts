/**
 * MNIST in memory, independent of where it came from: the IDX files in Node (`mnist.ts`) or
 * the compact asset a web page fetches (`mnistAsset.ts`). No file system here.
 */

/** Pixels per image. */
export const MNIST_PIXELS = 784;
/** Number of classes. */
export const MNIST_CLASSES = 10;

/** One split of MNIST in memory. */
export interface MnistSplit {
  /** Row-major [count, 784] pixels in [0, 1]. */
  images: Float32Array;
  /** [count] labels 0–9. */
  labels: Uint8Array;
  count: number;
}

/** Which split: the 60,000 training or the 10,000 test images. */
export type MnistSplitName = 'train' | 'test';

/** Where a task gets a split from (loaded on first use). */
export type MnistSource = (split: MnistSplitName) => MnistSplit;
